// What can be wrong with an input, located precisely: the file on disk, the member inside it and
// the byte offset. Archive readers, the .dat decoder, verify and import all speak this type.

/// A fault of one input or one member of it. Reading that member stops; other members go on.
public struct InputFault: Error, Equatable, Sendable {
  /// The kinds of fault, named as `verify` prints them.
  public enum Kind: String, Sendable, CaseIterable {
    case truncated
    case crcMismatch = "crc_mismatch"
    case sizeMismatch = "size_mismatch"
    case badHeader = "bad_header"
    case trailingGarbage = "trailing_garbage"
    case notGzip = "not_gzip"
    case notZip = "not_zip"
    case notTar = "not_tar"
    /// A file read as a .dat whose fixed header cannot be one (a text log, a JSON file).
    case notDat = "not_dat"
    case tarChecksum = "tar_checksum"
    case unexpectedMembers = "unexpected_members"
    case unsafeName = "unsafe_name"
    case duplicateName = "duplicate_name"
    /// A zip entry whose bytes lie inside those of another (the same local header named by two
    /// central records, or a header inside another entry's data): the way a small zip inflates
    /// one member a thousand times.
    case overlappingEntries = "overlapping_entries"
    case unsupportedMethod = "unsupported_method"
    case encrypted
    case datTruncated = "dat_truncated"
    case datBadHeader = "dat_bad_header"
    case datBadLength = "dat_bad_length"
    case datTrailingBytes = "dat_trailing_bytes"
    case serialMismatch = "serial_mismatch"
    case ratioLimit = "ratio_limit"
    case manifestMismatch = "manifest_mismatch"
    case manifestMissingFile = "manifest_missing_file"
    case manifestMalformed = "manifest_malformed"
    case manifestEmpty = "manifest_empty"
    case seriesCollision = "series_collision"
    /// The file could not be read at all (permissions, an I/O error); other files go on.
    case unreadable

    /// Whether the fault puts in doubt every value read before it was found: a checksum or a
    /// length that does not match is read at the end of what it covers, and damaged bytes
    /// decode to values that look like any others. A file cut short, by contrast, read right
    /// up to its end.
    public var doubtsTheData: Bool {
      self == .crcMismatch || self == .sizeMismatch
    }
  }

  public var kind: Kind
  /// The file on disk; empty while a reader that does not know it throws the fault.
  public var path: String
  /// The member inside `path`, nested members joined by `!` (`day/x.tgz!x.dat`); nil for the
  /// file itself.
  public var member: String?
  /// Byte offset within the innermost thing named (the member, or the file).
  public var offset: Int64
  /// What is wrong, for a person.
  public var message: String

  public init(
    _ kind: Kind, at offset: Int64, _ message: String, path: String = "", member: String? = nil
  ) {
    self.kind = kind
    self.offset = offset
    self.message = message
    self.path = path
    self.member = member
  }

  /// `path!member`, or `path` alone.
  public var location: String {
    member.map { "\(path)!\($0)" } ?? path
  }

  /// `PATH[!MEMBER]: KIND at offset N: reason`, the line `verify` prints. Names from the
  /// input are shown with control characters escaped, so that a crafted name cannot forge a
  /// line or drive the terminal.
  public var line: String {
    "\(printable(location)): \(kind.rawValue) at offset \(offset): \(printable(message))"
  }

  /// The same fault placed in `path`, with `member` prefixed to the member chain.
  public func located(path: String, member outer: String?) -> InputFault {
    var copy = self
    copy.path = path
    switch (outer, member) {
    case (nil, _): break
    case (let outer?, nil): copy.member = outer
    case (let outer?, let inner?): copy.member = "\(outer)!\(inner)"
    }
    return copy
  }
}

extension InputFault: UserFacingError {
  public var userMessage: String { line }
  public var exitStatus: ExitStatus { .problems }
}

/// Something worth knowing about an input that is not a fault (zero padding after a gzip
/// stream, data before a zip archive).
public struct InputNote: Equatable, Sendable {
  public var path: String
  public var member: String?
  public var offset: Int64
  public var message: String

  public init(at offset: Int64, _ message: String, path: String = "", member: String? = nil) {
    self.offset = offset
    self.message = message
    self.path = path
    self.member = member
  }

  public var line: String {
    let location = member.map { "\(path)!\($0)" } ?? path
    return "\(printable(location)): note at offset \(offset): \(printable(message))"
  }
}

/// `text` with control characters (C0, DEL, C1) written as `\n`, `\t` or `\u{1b}`, for one
/// line of terminal output.
public func printable(_ text: String) -> String {
  guard text.unicodeScalars.contains(where: isControl) else { return text }
  var result = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\n": result += "\\n"
    case "\r": result += "\\r"
    case "\t": result += "\\t"
    case _ where isControl(scalar): result += "\\u{\(String(scalar.value, radix: 16))}"
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result
}

private func isControl(_ scalar: Unicode.Scalar) -> Bool {
  scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
}
