import { runMain } from '@vinsight/runtime';
import { ReadApiModule } from './read-api.module';

runMain({ name: 'read-api', roles: ['read-api'], module: (config, lifecycle) => ReadApiModule.forRoot(config, lifecycle) });
