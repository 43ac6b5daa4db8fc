/**
 * Shared-memory layout of {@link SpscRing}. Both threads derive every offset
 * from these constants, so a SAB created on one thread can be attached on
 * another without any other metadata.
 *
 * ```
 *  byte 0                                                           64
 *  +--------+----------+-----------------+------------------+-------+
 *  | MAGIC  | CAPACITY | CONSUMER_WAITERS| PRODUCER_WAITERS | ...   |  line 0: immutable after create()
 *  +--------+----------+-----------------+------------------+-------+  (waiter counts change only on slow paths)
 *  | HEAD   |                       unused                          |  line 1: consumer-owned read counter
 *  +--------+-------------------------------------------------------+
 *  | TAIL   |                       unused                          |  line 2: producer-owned write counter
 *  +--------+-------------------------------------------------------+
 *  byte 192 = DATA_OFFSET
 *  +----------------------------------------------------------------+
 *  | data area: CAPACITY bytes of 8-byte aligned records            |
 *  |   record = [len:int32][payload: len bytes][zero..7 pad bytes]  |
 *  |   PAD    = [-1:int32] "skip to the start of the data area"     |
 *  +----------------------------------------------------------------+
 * ```
 *
 * HEAD and TAIL live on separate 64-byte cache lines so that the producer
 * spinning on TAIL writes and the consumer on HEAD writes do not false-share.
 *
 * HEAD and TAIL are free-running uint32 byte counters (stored as int32 and
 * read back with `>>> 0`); the byte position of a counter is
 * `counter & (CAPACITY - 1)`. Because CAPACITY is a power of two that divides
 * 2^32, positions stay consistent across the 2^32 wrap, and
 * `(TAIL - HEAD) >>> 0` is the number of used bytes in [0, CAPACITY]:
 * 0 means empty and CAPACITY means full, so no slot has to be left empty to
 * tell them apart.
 */

/** Int32 index of the magic word identifying an initialised ring. */
export const MAGIC_INDEX = 0;
/** Int32 index of the data-area capacity in bytes. */
export const CAPACITY_INDEX = 1;
/** Int32 index of the number of consumer waits pending on TAIL; the producer skips Atomics.notify when 0. */
export const CONSUMER_WAITERS_INDEX = 2;
/** Int32 index of the number of producer waits pending on HEAD; the consumer skips Atomics.notify when 0. */
export const PRODUCER_WAITERS_INDEX = 3;
/** Int32 index of the consumer-owned read counter (byte count, free-running uint32). */
export const HEAD_INDEX = 16;
/** Int32 index of the producer-owned write counter (byte count, free-running uint32). */
export const TAIL_INDEX = 32;

/** Size of the header in bytes; the data area starts right after it. */
export const HEADER_BYTES = 192;
/** Byte offset of the data area in the SharedArrayBuffer. */
export const DATA_OFFSET = HEADER_BYTES;

/** Value of the MAGIC word ("RNG1"). */
export const MAGIC = 0x524e4731;
/** Length-prefix value marking the unused tail of the data area; the reader skips to position 0. */
export const PAD_MARKER = -1;
/** Size of a record's length prefix in bytes. */
export const LENGTH_PREFIX_BYTES = 4;
/** Every record starts at a multiple of this many bytes. */
export const RECORD_ALIGN = 8;

/** Smallest allowed capacity in bytes. */
export const MIN_CAPACITY = 4096;
/** Largest allowed capacity in bytes; keeps used-byte arithmetic well inside uint32. */
export const MAX_CAPACITY = 1 << 30;
