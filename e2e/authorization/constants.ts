/**
 * A password the policy accepts, for the accounts the matrix's requests register. Not world.ts's
 * PASSWORD: importing world.ts registers mocha hooks, and the table is also read by the doc script.
 */
export const MATRIX_PASSWORD = 'matrix tables keep their word';
