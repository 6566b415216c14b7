/**
 * The read API as `npm run bench:api` runs it: the production composition (runService,
 * platformImports, ReadApiHttpModule) with the rate limit off (the benchmark is one client at
 * full speed). An argument `polled` turns the projector's notifications off (consistency waits poll).
 */
import { Module } from '@nestjs/common';
import { API_POOL } from '@vinsight/database';
import { ReadApiHttpModule } from '@vinsight/read-api';
import { platformImports, runMain } from '@vinsight/runtime';

const notifications = !process.argv.slice(2).includes('polled');

runMain({
  name: 'bench-read-api',
  roles: ['read-api'],
  module: (config, lifecycle) => {
    @Module({
      imports: [
        ...platformImports({ service: 'bench-read-api', config, lifecycle, primaryPool: API_POOL }),
        ReadApiHttpModule.forRoot({ settings: { notifications, rateLimit: { requestsPerSecond: 0, burst: 1 } } }),
      ],
    })
    class BenchReadApiModule {}
    return BenchReadApiModule;
  },
});
