// The text of a log record, kept in memory of its own that grows to the longest record and is
// then reused from record to record. Records are filled a line at a time on the reading thread,
// and an array's generic append and remove-all cost more there than the bytes they copy; this
// buffer appends with one `memcpy` and empties by setting its count.

#if canImport(Glibc)
  import Glibc
#endif

/// A growable byte buffer owned by one `LogRecord`.
final class RecordText {
  @exclusivity(unchecked) private var storage: UnsafeMutablePointer<UInt8>
  @exclusivity(unchecked) private var capacity: Int
  @exclusivity(unchecked) private(set) var count = 0

  init(capacity: Int = 512) {
    self.capacity = max(capacity, 16)
    storage = .allocate(capacity: self.capacity)
  }

  deinit { storage.deallocate() }

  /// The bytes, valid until the buffer is changed.
  var bytes: UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: storage, count: count)
  }

  var isEmpty: Bool { count == 0 }

  var first: UInt8? { count > 0 ? storage[0] : nil }

  func removeAll() { count = 0 }

  @inline(__always)
  func append(_ byte: UInt8) {
    if count == capacity { grow(to: count + 1) }
    storage[count] = byte
    count += 1
  }

  @inline(__always)
  func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    if count + bytes.count > capacity { grow(to: count + bytes.count) }
    memcpy(storage + count, base, bytes.count)
    count += bytes.count
  }

  /// Appends through an array, for the JSON decoders that write into one.
  func append(_ write: (inout [UInt8]) -> Void) {
    var scratch: [UInt8] = []
    write(&scratch)
    scratch.withUnsafeBufferPointer { append($0) }
  }

  /// Takes the bytes of `other`.
  func assign(_ other: RecordText) {
    count = 0
    append(other.bytes)
  }

  private func grow(to needed: Int) {
    var larger = capacity
    while larger < needed { larger *= 2 }
    let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
    moved.initialize(from: storage, count: count)
    storage.deallocate()
    storage = moved
    capacity = larger
  }
}
