// Finds many phrases in a message in one pass, ignoring letter case: the phrases that tell a DNS
// failure from a refused connection or a truncated archive. The phrases are compiled once into a
// table-driven automaton (Aho–Corasick), so a message costs one table step per byte however many
// phrases there are, and each phrase reports where it first ended so that fields can be read
// from there.

/// A compiled set of phrases, each tagged with up to 64 marks.
struct MarkerScanner {
  /// What a scan found: the set marks and where each first ended in the text.
  struct Found {
    var marks: UInt64 = 0
    /// For each mark, the index just past its first match; meaningful only for set marks.
    var ends = [Int32](repeating: 0, count: 64)

    func contains(_ mark: Int) -> Bool { marks & (1 << UInt64(mark)) != 0 }

    /// The index just past the first phrase of `mark`, or `nil`.
    func end(of mark: Int) -> Int? { contains(mark) ? Int(ends[mark]) : nil }
  }

  /// Byte value to column of the transition table; letters fold to one column.
  private let columns: [UInt16]
  private let columnCount: Int
  /// `transitions[state * columnCount + column]`.
  private let transitions: [Int32]
  /// Marks completed on reaching each state (including those of shorter suffixes).
  private let outputs: [UInt64]

  /// - Parameter phrases: lower-case phrases with the marks (0–63) they stand for.
  init(phrases: [(String, [Int])]) {
    var columns = [UInt16](repeating: 0, count: 256)
    var next: UInt16 = 1
    for (phrase, _) in phrases {
      for byte in phrase.utf8 where columns[Int(byte)] == 0 {
        columns[Int(byte)] = next
        if (0x61...0x7A).contains(byte) { columns[Int(byte) - 0x20] = next }
        next += 1
      }
    }
    let width = Int(next)

    // The trie of all phrases, kept in the transition table itself (0 means no child yet),
    // with the marks of each phrase on its last state.
    var transitions = [Int32](repeating: 0, count: width)
    var outputs: [UInt64] = [0]
    for (phrase, marks) in phrases {
      var state = 0
      for byte in phrase.utf8 {
        let slot = state * width + Int(columns[Int(byte)])
        if transitions[slot] != 0 {
          state = Int(transitions[slot])
        } else {
          let child = outputs.count
          outputs.append(0)
          transitions.append(contentsOf: repeatElement(0, count: width))
          transitions[slot] = Int32(child)
          state = child
        }
      }
      for mark in marks { outputs[state] |= 1 << UInt64(mark) }
    }
    let isChild = transitions.map { $0 != 0 }

    // Breadth-first, each state's missing transitions are those of its longest proper suffix
    // that is also in the trie, which turns the trie into a deterministic automaton.
    var fallback = [Int32](repeating: 0, count: outputs.count)
    var queue = (0..<width).compactMap { isChild[$0] ? Int(transitions[$0]) : nil }
    var head = 0
    while head < queue.count {
      let state = queue[head]
      head += 1
      outputs[state] |= outputs[Int(fallback[state])]
      let suffix = Int(fallback[state]) * width
      for column in 0..<width {
        let slot = state * width + column
        if isChild[slot] {
          let child = Int(transitions[slot])
          fallback[child] = transitions[suffix + column]
          queue.append(child)
        } else {
          transitions[slot] = transitions[suffix + column]
        }
      }
    }
    self.columns = columns
    self.columnCount = width
    self.transitions = transitions
    self.outputs = outputs
  }

  /// Scans `text` once.
  func scan(_ text: UnsafeBufferPointer<UInt8>) -> Found {
    var found = Found()
    columns.withUnsafeBufferPointer { columns in
      transitions.withUnsafeBufferPointer { transitions in
        outputs.withUnsafeBufferPointer { outputs in
          var state = 0
          for index in 0..<text.count {
            let column = Int(columns[Int(text[index])])
            state = Int(transitions[state &* columnCount &+ column])
            let marks = outputs[state]
            guard marks != 0 else { continue }
            var fresh = marks & ~found.marks
            found.marks |= marks
            while fresh != 0 {
              let mark = fresh.trailingZeroBitCount
              found.ends[mark] = Int32(index + 1)
              fresh &= fresh - 1
            }
          }
        }
      }
    }
    return found
  }
}
