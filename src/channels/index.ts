/**
 * channels/: multi-producer multi-consumer queues in shared memory (DESIGN.md §8), a sibling of
 * collections/ built on the same STM operations: the layout (channel-layout.ts), the
 * transactional core (channel-queue.ts), waking and waiting (channel-core.ts), the public
 * wrapper (shared-channel.ts) and `select` over several channels (select.ts).
 */
export {
  channelKind,
  createChannel,
  SharedChannel,
  type ChannelOptions,
} from './shared-channel.js';
export {
  select,
  selectAsync,
  type SelectCase,
  type Selected,
  type SelectOptions,
} from './select.js';
