// Remembers the facts of the last few distinct messages. An error storm repeats one message
// thousands of times with only an object address changing (`object at 0x7fd51b1815`), so a new
// message is first compared with the remembered ones, treating such hex runs as equal; only a
// message unlike all of them is classified from scratch. Digits that are not hex runs must match
// exactly, because ports, statuses and file names are read from them. A remembered message
// knows where its own hex runs are, so comparing it with a new one is a `memcmp` of the stretches
// between them and a look at the runs of the new message at the same places.

#if canImport(Glibc)
  import Glibc
#endif

/// A small cache of `MessageFacts` keyed by message text up to hex runs.
struct MessageFactsCache {
  private struct Entry {
    var message: RememberedMessage
    var status: Int
    var facts: MessageFacts
  }

  private var entries: [Entry] = []
  private var nextVictim = 0
  /// The entries that matched last and the time before: storms alternate between a cause and
  /// its consequence, so these two are tried first.
  private var lastHit = 0
  private var previousHit = 0
  /// How many distinct messages are remembered.
  let capacity: Int
  private(set) var hits = 0
  private(set) var misses = 0

  init(capacity: Int = 8) {
    self.capacity = capacity
  }

  /// The facts of `text`, from the cache or from `ErrorClassifier`.
  /// - Parameter templated: whether the template is needed even for a recognised message.
  mutating func facts(
    of text: UnsafeBufferPointer<UInt8>, accessStatus: Int, templated: Bool = false
  ) -> MessageFacts {
    if !entries.isEmpty, let found = lookup(text, accessStatus),
      found.template != nil || !templated
    {
      return found
    }
    misses += 1
    let facts = ErrorClassifier.facts(of: text, accessStatus: accessStatus, templated: templated)
    let entry = Entry(message: RememberedMessage(text), status: accessStatus, facts: facts)
    previousHit = lastHit
    if entries.count < capacity {
      entries.append(entry)
      lastHit = entries.count - 1
    } else {
      entries[nextVictim] = entry
      lastHit = nextVictim
      nextVictim = (nextVictim + 1) % capacity
    }
    return facts
  }

  @inline(__always)
  private mutating func lookup(_ text: UnsafeBufferPointer<UInt8>, _ status: Int) -> MessageFacts? {
    let first = lastHit
    let second = previousHit
    if matches(first, text, status) { return hit(first) }
    if second != first, matches(second, text, status) { return hit(second) }
    for index in entries.indices where index != first && index != second {
      if matches(index, text, status) { return hit(index) }
    }
    return nil
  }

  @inline(__always)
  private func matches(_ index: Int, _ text: UnsafeBufferPointer<UInt8>, _ status: Int) -> Bool {
    entries[index].status == status && entries[index].message.matches(text)
  }

  @inline(__always)
  private mutating func hit(_ index: Int) -> MessageFacts {
    hits += 1
    if index != lastHit {
      previousHit = lastHit
      lastHit = index
    }
    return entries[index].facts
  }

  /// Whether `a` and `b` are equal once each hex run (`0x…`, or 8+ hex digits mixing letters
  /// and digits) counts as equal to any other.
  static func sameUpToHex(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool
  {
    guard let baseA = a.baseAddress, let baseB = b.baseAddress else { return a.count == b.count }
    var i = 0
    var j = 0
    var synced = 0
    while true {
      // Thirty-two, then eight bytes at a time while both agree; the first differing byte of
      // a word is found from its lowest set bit, once the word is read in little-endian order.
      while i + 32 <= a.count && j + 32 <= b.count {
        let left = UnsafeRawPointer(baseA + i)
        let right = UnsafeRawPointer(baseB + j)
        var difference: UInt64 = 0
        for offset in stride(from: 0, to: 32, by: 8) {
          difference |=
            left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            ^ right.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        }
        if difference != 0 { break }
        i += 32
        j += 32
      }
      while i + 8 <= a.count && j + 8 <= b.count {
        let difference = UInt64(
          littleEndian: UnsafeRawPointer(baseA + i).loadUnaligned(as: UInt64.self)
            ^ UnsafeRawPointer(baseB + j).loadUnaligned(as: UInt64.self))
        let same = difference == 0 ? 8 : difference.trailingZeroBitCount / 8
        i += same
        j += same
        if same < 8 { break }
      }
      while i < a.count && j < b.count && a[i] == b[j] {
        i += 1
        j += 1
      }
      if i == a.count && j == b.count { return true }
      // A difference: both sides must be inside hex runs that started at the same place.
      var back = 0
      while i - back > synced && isHexByte(a[i - back - 1]) { back += 1 }
      let startA = i - back
      let startB = j - back
      var endA = i
      while endA < a.count && isHexByte(a[endA]) { endA += 1 }
      var endB = j
      while endB < b.count && isHexByte(b[endB]) { endB += 1 }
      guard isHexRun(a, startA, endA), isHexRun(b, startB, endB) else { return false }
      i = endA
      j = endB
      synced = i
    }
  }

  @inline(__always)
  static func isHexByte(_ byte: UInt8) -> Bool {
    byte &- 0x30 <= 9 || (byte | 0x20) &- 0x61 <= 5 || byte == 0x78 || byte == 0x58
  }

  /// Whether `text[start..<end]` is a hex run standing alone (not part of a longer word).
  static func isHexRun(_ text: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool
  {
    guard end > start else { return false }
    if start > 0 {
      let before = text[start - 1]
      if (before | 0x20) &- 0x61 <= 25 || before &- 0x30 <= 9 || before == 0x5F { return false }
    }
    if end < text.count {
      let after = text[end]
      if (after | 0x20) &- 0x61 <= 25 || after == 0x5F { return false }
    }
    if end - start > 2 && text[start] == 0x30 && text[start + 1] | 0x20 == 0x78 {
      for index in (start + 2)..<end {
        let byte = text[index]
        if !(byte &- 0x30 <= 9 || (byte | 0x20) &- 0x61 <= 5) { return false }
      }
      return true
    }
    var digits = false
    var letters = false
    for index in start..<end {
      let byte = text[index]
      if byte &- 0x30 <= 9 {
        digits = true
      } else if (byte | 0x20) &- 0x61 <= 5 {
        letters = true
      } else {
        return false
      }
    }
    return end - start >= 8 && digits && letters
  }
}

/// A message kept by the cache, with the places of its hex runs, compared with new messages as
/// `MessageFactsCache.sameUpToHex` would compare them.
struct RememberedMessage {
  let text: [UInt8]
  /// The hex runs of `text` (maximal runs of hex bytes that `isHexRun` accepts), in order.
  let runs: [Range<Int>]

  init(_ text: UnsafeBufferPointer<UInt8>) {
    self.text = Array(text)
    var runs: [Range<Int>] = []
    var index = 0
    while index < text.count {
      guard MessageFactsCache.isHexByte(text[index]) else {
        index += 1
        continue
      }
      let start = index
      while index < text.count && MessageFactsCache.isHexByte(text[index]) { index += 1 }
      if MessageFactsCache.isHexRun(text, start, index) { runs.append(start..<index) }
    }
    self.runs = runs
  }

  /// Whether `other` equals this message once each hex run counts as equal to any other. The
  /// stretches between this message's runs must be equal byte for byte, and where this message
  /// has a run, `other` must have the same run or another one that stands alone.
  func matches(_ other: UnsafeBufferPointer<UInt8>) -> Bool {
    text.withUnsafeBufferPointer { own in
      guard let ownBase = own.baseAddress, let otherBase = other.baseAddress else {
        return own.count == other.count
      }
      var ownIndex = 0
      var otherIndex = 0
      for run in runs {
        // The stretch before the run; a run is preceded by a byte that is no hex byte, so the
        // same byte in `other` ends any run there too.
        let stretch = run.lowerBound - ownIndex
        guard otherIndex + stretch <= other.count,
          memcmp(ownBase + ownIndex, otherBase + otherIndex, stretch) == 0
        else { return false }
        otherIndex += stretch
        var otherEnd = otherIndex
        while otherEnd < other.count && MessageFactsCache.isHexByte(other[otherEnd]) {
          otherEnd += 1
        }
        let sameRun =
          otherEnd - otherIndex == run.count
          && memcmp(ownBase + run.lowerBound, otherBase + otherIndex, run.count) == 0
        if !sameRun && !MessageFactsCache.isHexRun(other, otherIndex, otherEnd) { return false }
        ownIndex = run.upperBound
        otherIndex = otherEnd
      }
      let rest = own.count - ownIndex
      return other.count - otherIndex == rest
        && memcmp(ownBase + ownIndex, otherBase + otherIndex, rest) == 0
    }
  }
}
