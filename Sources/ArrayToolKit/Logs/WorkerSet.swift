// The distinct workers of an incident. Worker numbers are small and dense (16…42, 9343…9370),
// so a bit per number is cheaper than hashing each of a storm's errors; numbers beyond the
// bitmap's range go to an ordinary set.

/// A set of worker numbers with its count.
struct WorkerSet: Sendable {
  private var bits: [UInt64] = []
  private var others = Set<Int>()
  private(set) var count = 0

  /// The largest worker number kept in the bitmap (8 KiB at most per incident).
  static let bitmapLimit = 1 << 16
  /// The most workers counted beyond the bitmap.
  static let otherLimit = 4096

  mutating func insert(_ worker: Int) {
    guard worker >= 0 && worker < WorkerSet.bitmapLimit else {
      if others.count < WorkerSet.otherLimit, others.insert(worker).inserted { count += 1 }
      return
    }
    let word = worker >> 6
    if word >= bits.count {
      bits.append(contentsOf: repeatElement(0, count: word + 1 - bits.count))
    }
    let mask: UInt64 = 1 << UInt64(worker & 63)
    if bits[word] & mask == 0 {
      bits[word] |= mask
      count += 1
    }
  }
}
