// The SHA-256 of each input file, which keys the import journal: computed once per file, on the
// thread that first needs it, or handed over by a preflight that already read the file.

import Foundation

/// A thread-safe cache of file digests.
public final class ArchiveDigests: @unchecked Sendable {
  private let condition = NSCondition()
  private var known: [String: String] = [:]
  private var computing: Set<String> = []

  public init(known: [String: String] = [:]) {
    self.known = known
  }

  /// Records a digest computed elsewhere.
  public func set(_ digest: String, for path: String) {
    condition.lock()
    known[path] = digest
    condition.broadcast()
    condition.unlock()
  }

  /// The SHA-256 of the file at `path` as hex; several threads asking for one file wait for one
  /// computation.
  public func sha256(of path: String) throws -> String {
    condition.lock()
    while known[path] == nil && computing.contains(path) { condition.wait() }
    if let digest = known[path] {
      condition.unlock()
      return digest
    }
    computing.insert(path)
    condition.unlock()
    defer {
      condition.lock()
      computing.remove(path)
      condition.broadcast()
      condition.unlock()
    }
    let file = try InputFile(path: path)
    let digest = Digest(.sha256)
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var offset: Int64 = 0
    while true {
      let count = try buffer.withUnsafeMutableBytes { try file.read(at: offset, into: $0) }
      if count == 0 { break }
      buffer.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
      offset += Int64(count)
    }
    let hex = digest.finalHex()
    set(hex, for: path)
    return hex
  }
}
