/**
 * The consumer queues of the services, whose `<queue>.dead` queues `npm run dlq` looks at
 * when no queue is named (AMQP cannot list queues, and the local broker runs without the
 * management API). scripts/test/dlq.test.ts checks this against the services' own constants.
 */
export const SERVICE_CONSUMER_QUEUES = [
  'ms-email.notifications',
  'ms-products.ratings',
  'ms-products.thumbnails',
];
