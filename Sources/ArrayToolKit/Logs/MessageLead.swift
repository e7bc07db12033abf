// The opening words of an error's message, kept in a few machine words so that every error of a
// storm can carry them cheaply. A later error that opens with the same words (`Failed to send
// batch` after `Failed to send batch to VM: …`) is telling about the same failure.

/// The first 32 bytes of a message.
struct MessageLead {
  private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  private var count = 0

  static let capacity = 32
  /// How many words two messages must share to be about the same failure.
  static let sharedWords = 3

  init(_ message: UnsafeBufferPointer<UInt8>) {
    count = min(message.count, MessageLead.capacity)
    guard let base = message.baseAddress, count > 0 else { return }
    let count = self.count
    withUnsafeMutableBytes(of: &words) { storage in
      storage.copyMemory(from: UnsafeRawBufferPointer(start: base, count: count))
    }
  }

  /// Whether `message` opens with the same three words (punctuation after a word aside), or is
  /// all of this lead's opening words.
  func isRepeated(by message: UnsafeBufferPointer<UInt8>) -> Bool {
    guard count > 0, !message.isEmpty else { return false }
    let count = self.count
    return withUnsafeBytes(of: words) { storage -> Bool in
      var words = 0
      var index = 0
      while true {
        let leadEnds = index == count || MessageLead.isWordEnd(storage[index])
        let messageEnds = index == message.count || MessageLead.isWordEnd(message[index])
        if leadEnds && messageEnds {
          words += 1
          if words == MessageLead.sharedWords || index == message.count { return true }
          if index == count { return false }
        } else if leadEnds || messageEnds || storage[index] != message[index] {
          return false
        }
        index += 1
      }
    }
  }

  @inline(__always)
  private static func isWordEnd(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x3A || byte == 0x2C || byte == 0x2E || byte == 0x3B || byte == 0x29
  }
}
