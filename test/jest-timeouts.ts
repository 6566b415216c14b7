// `testTimeout` is a global Jest option that per-project configs ignore; the slower tiers set it here.
jest.setTimeout(120000);
