// Which file each worker is processing, followed from `[Worker N] Processing FILE` lines so that
// a lost batch can be traced to the file it came from. Those lines are a third of an importer
// log, so the name is kept as bytes in a slot per worker, reused from file to file, and becomes
// a string only when an error asks for it.

/// The current file of each worker.
struct WorkerFiles {
  /// Slot per worker number below `directLimit`; other numbers use the dictionary. A slot's
  /// bytes are overwritten in place and `lengths` says how many of them are the name, so that
  /// following a worker from file to file touches no allocator.
  private var slots: [[UInt8]] = []
  private var lengths: [Int] = []
  private var others: [Int: [UInt8]] = [:]

  static let directLimit = 1 << 16
  static let otherLimit = 4096

  /// Notes that `worker` is now processing the file named `name`.
  mutating func set(_ worker: Int, _ name: UnsafeBufferPointer<UInt8>) {
    guard worker >= 0 && worker < WorkerFiles.directLimit else {
      if others.count < WorkerFiles.otherLimit || others[worker] != nil {
        others[worker] = Array(name)
      }
      return
    }
    if worker >= slots.count {
      slots.append(contentsOf: repeatElement([], count: worker + 1 - slots.count))
      lengths.append(contentsOf: repeatElement(0, count: worker + 1 - lengths.count))
    }
    if slots[worker].count < name.count {
      slots[worker] = Array(name)
    } else if let source = name.baseAddress {
      slots[worker].withUnsafeMutableBufferPointer { slot in
        slot.baseAddress!.update(from: source, count: name.count)
      }
    }
    lengths[worker] = name.count
  }

  /// Notes that `worker` finished its file.
  mutating func clear(_ worker: Int) {
    if worker >= 0 && worker < slots.count {
      lengths[worker] = 0
    } else {
      others[worker] = nil
    }
  }

  /// The file `worker` is processing, if known.
  func file(of worker: Int) -> String? {
    if worker >= 0 && worker < slots.count {
      let length = lengths[worker]
      guard length > 0 else { return nil }
      return String(decoding: slots[worker][..<length], as: UTF8.self)
    }
    guard let name = others[worker], !name.isEmpty else { return nil }
    return String(decoding: name, as: UTF8.self)
  }
}
