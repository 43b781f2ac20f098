/** The platform benchmark's targets (issue 12's benchmark report). */
export const TARGETS = {
  gatewayRatio: 0.85,
  tokenRatio: 0.9,
  loginRatio: 0.8,
  searchP99Ms: 50,
  serviceRssMiB: 150,
} as const;
