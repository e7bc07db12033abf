// The one place arraytool talks to OpenSSL: streaming message digests through EVP.

import COpenSSL

/// A hash algorithm that manifests use.
public enum DigestAlgorithm: String, CaseIterable, Sendable {
  case md5
  case sha1
  case sha256
  case sha512

  /// Length of the digest in hex digits, by which an untagged manifest line is recognised.
  public var hexLength: Int {
    switch self {
    case .md5: return 32
    case .sha1: return 40
    case .sha256: return 64
    case .sha512: return 128
    }
  }

  /// The tag of BSD-style manifest lines (`SHA256 (name) = …`).
  public var tag: String {
    switch self {
    case .md5: return "MD5"
    case .sha1: return "SHA1"
    case .sha256: return "SHA256"
    case .sha512: return "SHA512"
    }
  }

  fileprivate var evp: OpaquePointer {
    switch self {
    case .md5: return EVP_md5()
    case .sha1: return EVP_sha1()
    case .sha256: return EVP_sha256()
    case .sha512: return EVP_sha512()
    }
  }
}

/// A digest being computed over bytes fed in pieces.
public final class Digest {
  public let algorithm: DigestAlgorithm
  private let context: OpaquePointer

  public init(_ algorithm: DigestAlgorithm) {
    self.algorithm = algorithm
    guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL: out of memory") }
    self.context = context
    precondition(EVP_DigestInit_ex(context, algorithm.evp, nil) == 1, "OpenSSL digest init")
  }

  deinit { EVP_MD_CTX_free(context) }

  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard let base = bytes.baseAddress, bytes.count > 0 else { return }
    precondition(EVP_DigestUpdate(context, base, bytes.count) == 1, "OpenSSL digest update")
  }

  public func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// Finishes the digest and returns it as lower-case hex. The digest cannot be fed after this.
  public func finalHex() -> String {
    var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
    var length: UInt32 = 0
    precondition(EVP_DigestFinal_ex(context, &output, &length) == 1, "OpenSSL digest final")
    return output[0..<Int(length)].map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }

  /// The hex digest of `bytes` in one go.
  public static func hex(_ algorithm: DigestAlgorithm, of bytes: [UInt8]) -> String {
    let digest = Digest(algorithm)
    digest.update(bytes)
    return digest.finalHex()
  }
}
