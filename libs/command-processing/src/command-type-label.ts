import { isCommandType } from '@vinsight/domain';

/**
 * The `type` label of `vinsight_commands_total`. A rejected command's result echoes whatever
 * type string the caller sent, and every distinct label value is a series prom-client keeps for
 * the life of the process: labelling by it would let a client grow memory (and every scrape)
 * without limit, one made-up type at a time.
 */
export const commandTypeLabel = (type: string): string => (isCommandType(type) ? type : 'unknown');
