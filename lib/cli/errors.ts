/** A command line the command cannot run: exit code 2 with the usage. */
export class UsageError extends Error {}
