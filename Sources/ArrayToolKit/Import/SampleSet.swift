// What the landed check compares of a series: how many samples it has and a print of their
// timestamps that does not depend on their order. A count alone passes a series that lost one
// batch and holds another twice when the two are the same size, or whose times something on the
// way rewrote; the print does not. It is a sum of the timestamps, each first scrambled through a
// 64-bit mixing function, so that it is built a sample at a time in any order, adds up over
// files and batches, and changes with any timestamp moved, lost or stored once more. Memory is
// two words per series, whatever the number of samples.

/// The samples of one series, as a count and an order-free print of their timestamps.
public struct SampleSet: Equatable, Sendable {
  public private(set) var count = 0
  /// The wrapping sum of `scrambled(t)` over every timestamp `t` (Unix ms).
  public private(set) var print: UInt64 = 0

  public init() {}

  init(count: Int, print: UInt64) {
    self.count = count
    self.print = print
  }

  /// The samples at the timestamps of the rows of `chunk`: those of one series of its block.
  init(rowsOf chunk: DatChunk) {
    for row in 0..<chunk.rowCount { add(timestamp: SampleRenderer.timestamp(chunk, row: row)) }
  }

  @inline(__always)
  public mutating func add(timestamp: Int64) {
    count += 1
    print &+= Self.scrambled(timestamp)
  }

  public mutating func add(_ other: SampleSet) {
    count += other.count
    print &+= other.print
  }

  /// What is left of `self` without the samples of `other`, which it holds.
  public func removing(_ other: SampleSet) -> SampleSet {
    SampleSet(count: count - other.count, print: print &- other.print)
  }

  /// Spreads the bits of a timestamp over the whole word, so that timestamps a minute apart
  /// (which differ in a few low bits) give unrelated words and no regular shift of times can
  /// leave the sum as it was. Multiplications by odd constants and xor-shifts, each a bijection.
  @inline(__always)
  static func scrambled(_ timestamp: Int64) -> UInt64 {
    var word = UInt64(bitPattern: timestamp) &+ 0x6A09_E667_F3BC_C909
    word = (word ^ (word >> 31)) &* 0xD6E8_FEB8_6659_FD93
    word = (word ^ (word >> 29)) &* 0xA5CB_3A8B_E62B_F05B
    return word ^ (word >> 32)
  }
}
