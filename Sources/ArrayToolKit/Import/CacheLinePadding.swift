// Empty room around the fields of an object that one thread changes at a high rate while another
// thread works next to it. The allocator places objects made one after another side by side, so
// the fields of one thread's object and the reference count of the other thread's object can
// share a cache line; every write on one side then takes the line from the other core, and a
// retain that costs a few cycles costs a hundred. analyze-logs lost a third of its CPU time this
// way (the reader's stream sat next to the analyser, the batch being filled next to the one being
// read). An object laid out as `leading padding, fields, trailing padding` shares no line with a
// neighbour, whatever the allocator puts beside it.

/// 128 bytes that are never read: two cache lines on x86-64 (whose prefetcher fetches lines in
/// pairs) and one on Apple silicon.
struct CacheLinePadding {
  private let bytes: (SIMD64<UInt8>, SIMD64<UInt8>) = (.zero, .zero)
}
