export * from './aes-gcm';
export * from './data-key.store';
export * from './email-hash';
export * from './key-ring';
export * from './personal-data.vault';
export * from './personal-fields';
