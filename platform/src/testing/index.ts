export * from './token-issuer.js';
export * from './ports.js';
export * from './mysql-db.js';
export * from './rabbit.js';
export * from './smtp.js';
export * from './http.js';
export * from './pg-db.js';
export * from './mongo.js';
