import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's `migrations/` folder, found from here both in src/ (tests) and dist/ (built). */
export function migrationsDirectory(): string {
  let dir = __dirname;
  for (;;) {
    const candidate = join(dir, 'migrations');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no migrations/ folder found above ${__dirname}`);
    dir = parent;
  }
}
