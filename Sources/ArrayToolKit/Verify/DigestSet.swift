// Several digests of the same bytes fed together, so that a file listed in an MD5 manifest and a
// SHA-256 manifest is still read once, and a count of the bytes fed, so that a digest of a member
// whose reading stopped early is never taken for the digest of the whole member.

/// Digests of one byte stream, computed side by side.
final class DigestSet {
  private var digests: [Digest]
  /// Bytes fed so far.
  private(set) var count: Int64 = 0

  init(_ algorithms: [DigestAlgorithm]) {
    digests = algorithms.map { Digest($0) }
  }

  var isEmpty: Bool { digests.isEmpty }

  func update(_ bytes: UnsafeRawBufferPointer) {
    for digest in digests { digest.update(bytes) }
    count += Int64(bytes.count)
  }

  /// Starts over, for when the bytes must be fed again from the beginning.
  func reset() {
    digests = digests.map { Digest($0.algorithm) }
    count = 0
  }

  /// The hex digests by algorithm; the set cannot be fed after this.
  func finish() -> [DigestAlgorithm: String] {
    Dictionary(uniqueKeysWithValues: digests.map { ($0.algorithm, $0.finalHex()) })
  }
}
