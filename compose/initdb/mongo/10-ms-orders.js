// Run once by the MongoDB image (mongosh) on an empty data volume: ms-orders' user, allowed
// only its own database. The password comes from compose/.env.
db.getSiblingDB('orders').createUser({
  user: 'ms_orders',
  pwd: process.env.MONGO_PASSWORD_MS_ORDERS,
  roles: [{ role: 'readWrite', db: 'orders' }],
});
