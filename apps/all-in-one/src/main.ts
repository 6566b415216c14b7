import { runMain } from '@vinsight/runtime';
import { AllInOneModule } from './all-in-one.module';

runMain({
  name: 'all-in-one',
  roles: ['command-processor', 'projector', 'read-api'],
  module: (config, lifecycle) => AllInOneModule.forRoot(config, lifecycle),
});
