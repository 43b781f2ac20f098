import { Type } from '@marketshare/platform';

/** The live stream takes no query parameters; any is refused (400), never ignored. */
export const NoQuery = Type.Object({}, { additionalProperties: false });

/** Event ids are positions in the order's status history (1, 2, ...). */
export const LAST_EVENT_ID_PATTERN = /^[1-9][0-9]{0,5}$/;
