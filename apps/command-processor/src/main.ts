import { runMain } from '@vinsight/runtime';
import { CommandProcessorModule } from './command-processor.module';

runMain({
  name: 'command-processor',
  roles: ['command-processor'],
  module: (config, lifecycle) => CommandProcessorModule.forRoot(config, lifecycle),
});
