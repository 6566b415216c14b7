import { runMain } from '@vinsight/runtime';
import { ProjectorModule } from './projector.module';

runMain({ name: 'projector', roles: ['projector'], module: (config, lifecycle) => ProjectorModule.forRoot(config, lifecycle) });
