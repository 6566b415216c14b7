/**
 * The read API as `npm run bench:api` runs it: the production composition (runService,
 * platformImports, ReadApiHttpModule) with the hot-path driver given on the command line
 * (`pg` or `prisma`) and the rate limit off (the benchmark is one client at full speed). A second
 * argument `polled` turns the projector's notifications off (consistency waits poll).
 */
import { Module } from '@nestjs/common';
import { API_POOL } from '@vinsight/database';
import { ReadApiHttpModule } from '@vinsight/read-api';
import { platformImports, runMain } from '@vinsight/runtime';

const driver = process.argv[2] === 'prisma' ? 'prisma' : 'pg';
const notifications = process.argv[3] !== 'polled';

runMain({
  name: `bench-read-api-${driver}`,
  roles: ['read-api'],
  module: (config, lifecycle) => {
    @Module({
      imports: [
        ...platformImports({ service: 'bench-read-api', config, lifecycle, primaryPool: API_POOL }),
        ReadApiHttpModule.forRoot({ settings: { hotPathDriver: driver, notifications, rateLimit: { requestsPerSecond: 0, burst: 1 } } }),
      ],
    })
    class BenchReadApiModule {}
    return BenchReadApiModule;
  },
});
