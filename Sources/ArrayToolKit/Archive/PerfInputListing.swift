// What `PerfInput` found in the user's inputs: the units to decode, the faults and notes it met
// on the way (a damaged zip, prepended data), and the zip members that are not units, so that a
// checksum manifest travelling inside the export can still be found and read.

/// The units of the user's inputs and what else was noticed while listing them.
public struct PerfInputListing: Sendable {
  /// The .dat units, in input order.
  public var units: [DatUnit] = []
  /// Faults of whole inputs (a file that is no zip) and of zip entries (unsafe, duplicate names).
  public var faults: [InputFault] = []
  /// Worth knowing but not faults: data prepended to a zip, bytes after it.
  public var notes: [InputNote] = []
  /// Names of zip entries that are not units (`SHA256SUMS`, `MD5SUMS`, a readme).
  public var otherMembers: [String] = []
  /// The same entries, openable.
  public var otherEntries: [ZipMember] = []

  /// An empty listing.
  public init() {}
}

/// A zip entry that is not a unit, kept so that it can still be read (a checksum manifest).
public struct ZipMember: Sendable {
  /// The zip file on disk.
  public var path: String { archive.path }
  /// The entry's name.
  public var member: String { entry.name }
  /// The archive holding the entry.
  public let archive: ZipArchive
  /// The entry as the central directory describes it.
  public let entry: ZipEntry

  /// The entry's bytes, checked like any zip entry.
  public func open() throws -> ByteSource {
    try archive.open(entry)
  }
}
