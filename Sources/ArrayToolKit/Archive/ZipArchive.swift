// A zip file opened for reading entries: the central directory is read once, then any entry can be
// streamed, from any thread, while others are streamed too (all reads are positioned `pread`s on
// one shared descriptor). Opening an entry checks its local header against the directory; the
// entry's stream checks its CRC-32 and size when it ends. Entries that share bytes are found
// when the directory is read, and all but the first of them are refused when opened.
//
// Offsets in zip faults are positions in the zip file, also for faults of one entry (which name
// the entry as their member): for an entry's records (local header, data descriptor) where the
// record starts; for its data (CRC, size, corrupt deflate) where in the stored data the problem
// showed. A position in the file can be looked at with any hex viewer, whereas a position inside
// compressed data could not.

/// A zip archive on disk.
public final class ZipArchive: @unchecked Sendable {
  // Sendable: every stored property is immutable after `init`, and `InputFile` reads with pread
  // only, which threads may share.

  /// The file the archive is read from.
  public let file: InputFile
  /// The central directory's entries, in directory order.
  public let entries: [ZipEntry]
  /// The same entries in the order their local headers lie in the file; entries sharing a
  /// local header keep their directory order.
  public let entriesInFileOrder: [ZipEntry]
  /// Noticed while reading the directory: prepended data, bytes after the archive.
  public let notes: [InputNote]
  /// Problems of single entries seen in the directory (unsafe or duplicate names), located with
  /// the archive's path and the entry's name. Such entries are still listed in `entries`.
  public let faults: [InputFault]
  /// The archive comment, empty when there is none.
  public let comment: String
  /// Where in `entries` the first entry of each name is.
  private let firstOfName: FirstPositions<String>
  /// The `overlapping_entries` fault of each entry that starts inside the bytes of an entry
  /// before it, by the offset of its central record; `open` refuses such entries.
  private let overlaps: [Int64: InputFault]

  /// Reads the central directory of `file`.
  /// - Throws: an `InputFault` located with the file's path when the file is no zip archive or
  ///   its central directory is cut or damaged; `SystemError` when it cannot be read.
  public init(file: InputFile) throws {
    self.file = file
    let directory: ZipCentralDirectory
    do {
      directory = try ZipCentralDirectory(file: file)
    } catch let fault as InputFault {
      throw fault.located(path: file.path, member: nil)
    }
    entries = directory.entries
    notes = directory.notes.map { note in
      var located = note
      located.path = file.path
      return located
    }
    faults = directory.faults
    comment = directory.comment
    firstOfName = FirstPositions(entries.lazy.map(\.name))
    entriesInFileOrder = entries.enumerated().sorted {
      ($0.element.localHeaderOffset, $0.offset) < ($1.element.localHeaderOffset, $1.offset)
    }.map(\.element)
    overlaps = try ZipArchive.overlaps(in: entriesInFileOrder, of: file)
  }

  /// The faults of the entries that start inside the bytes (local header and stored data) of an
  /// entry before them: a second central record of one local header, or a header hidden in
  /// another entry's data. That is how a zip of a few hundred kilobytes has one deflated member
  /// inflated thousands of times, so such an entry is never read. An entry whose local header
  /// cannot be read yields no bytes, and the entries after it may use its place.
  /// - Throws: `SystemError` when the file cannot be read.
  private static func overlaps(in ordered: [ZipEntry], of file: InputFile) throws
    -> [Int64: InputFault]
  {
    var faults: [Int64: InputFault] = [:]
    // The entries kept do not overlap, so the last one kept reaches farthest into the file.
    var lastKept: (entry: ZipEntry, extent: Range<Int64>)?
    for entry in ordered {
      if let lastKept, entry.localHeaderOffset < lastKept.extent.upperBound {
        faults[entry.centralHeaderOffset] = InputFault(
          .overlappingEntries, at: entry.centralHeaderOffset,
          "the entry starts at offset \(entry.localHeaderOffset), inside the "
            + "\(lastKept.extent.count) bytes of \"\(lastKept.entry.name)\" at offset "
            + "\(lastKept.extent.lowerBound); not read, so that no bytes are inflated twice")
        continue
      }
      do {
        let local = try ZipLocalHeader(file: file, entry: entry)
        lastKept = (entry, entry.localHeaderOffset..<(local.dataOffset + entry.compressedSize))
      } catch is InputFault {
        continue
      }
    }
    return faults
  }

  /// The archive's path on disk.
  public var path: String { file.path }

  /// The first entry called `name`, found without searching the entries.
  public func entry(named name: String) -> ZipEntry? {
    firstOfName[name].map { entries[$0] }
  }

  /// A stream of the uncompressed bytes of `entry`; at its end the stream checks the CRC-32, the
  /// size and the data descriptor, and throws `crc_mismatch`, `size_mismatch` or `bad_header`.
  /// - Throws: `InputFault` located with the archive's path and the entry's name: `unsafe_name`,
  ///   `overlapping_entries` for an entry inside another, `encrypted`, `unsupported_method`,
  ///   `bad_header` for a local header that disagrees with the central directory, `truncated`
  ///   when the file ends before the entry's data.
  /// - Parameter observer: sees the entry's stored (compressed) bytes as they are read from the
  ///   file, with their offsets.
  public func open(_ entry: ZipEntry, observer: FileReadObserver? = nil) throws -> ByteSource {
    do {
      return try openUnlocated(entry, observer: observer)
    } catch let fault as InputFault {
      throw fault.located(path: file.path, member: entry.name)
    }
  }

  private func openUnlocated(_ entry: ZipEntry, observer: FileReadObserver?) throws -> ByteSource {
    if let reason = entry.unsafeNameReason {
      throw InputFault(.unsafeName, at: entry.centralHeaderOffset, "refused: \(reason)")
    }
    if let overlap = overlaps[entry.centralHeaderOffset] { throw overlap }
    if entry.isEncrypted {
      throw InputFault(
        .encrypted, at: entry.centralHeaderOffset, "the entry is encrypted and cannot be read")
    }
    guard entry.method == 0 || entry.method == 8 else {
      throw InputFault(
        .unsupportedMethod, at: entry.centralHeaderOffset,
        "compressed with \(ZipEntry.describeMethod(entry.method)); only stored and deflate "
          + "entries can be read")
    }
    let local = try ZipLocalHeader(file: file, entry: entry)
    let dataEnd = local.dataOffset + entry.compressedSize
    guard dataEnd <= file.size else {
      throw InputFault(
        .truncated, at: file.size,
        "the file ends \(dataEnd - file.size) bytes before the end of the entry's data")
    }
    return ZipEntryReader(
      file: file, entry: entry, dataOffset: local.dataOffset,
      wideDescriptor: local.usesZip64 || entry.usesZip64, observer: observer)
  }
}
