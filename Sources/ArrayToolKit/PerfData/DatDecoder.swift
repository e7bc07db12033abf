// Decodes a .dat file from a byte stream: the fixed header, then block after block, handing out
// the data rows in bounded chunks so that memory does not depend on the size of a block. Every
// fault kind of the format is told apart and located by its byte offset in the .dat file.

/// One block of a .dat file as the decoder met it.
public final class DatBlock: Sendable {
  /// Zero-based position of the block in the file.
  public let index: Int
  /// Byte offset of the block's 8-byte prefix in the file.
  public let offset: Int64
  public let header: DatBlockHeader

  init(index: Int, offset: Int64, header: DatBlockHeader) {
    self.index = index
    self.offset = offset
    self.header = header
  }
}

/// A run of consecutive rows of one block.
public struct DatChunk {
  public let block: DatBlock
  /// Index within the block of the first row here; its time is `StartTime + firstRow × Archive`.
  public let firstRow: Int
  public let rowCount: Int
  /// The rows as little-endian signed 32-bit values, row after row. Valid only until the
  /// decoder's next `nextChunk()` call.
  public let rows: UnsafeRawBufferPointer

  /// The raw value of `valueIndex` (position within a row) in row `row` of this chunk.
  @inline(__always)
  public func value(row: Int, valueIndex: Int, valuesPerRow: Int) -> Int32 {
    rows.loadUnaligned(fromByteOffset: (row * valuesPerRow + valueIndex) * 4, as: Int32.self)
      .littleEndian
  }
}

/// Reads a .dat file block by block.
public final class DatDecoder {
  /// The largest block header accepted when the file's length is not known.
  public static let maxHeaderBytes = 16 << 20
  /// The largest row accepted; a header describing a bigger one cannot be real.
  public static let maxRowBytes = 64 << 20
  /// The most series one block may describe. Each becomes a series with its own labels in
  /// memory; the largest arrays have a few hundred thousand.
  public static let maxValuesPerRow = 1_000_000
  /// At most this many rows go into one chunk (and so into one exported line per series).
  public static let maxChunkRows = 10_000

  private let source: ByteSource
  /// The size of the .dat when the container says it (tar header, file size).
  public let length: Int64?
  private let chunkBytes: Int
  private let chunkRows: Int
  /// Bytes consumed from the source.
  public private(set) var position: Int64 = 0
  private var buffer: [UInt8] = []
  private var atEnd = false

  public private(set) var fileHeader: DatFileHeader?
  private var block: DatBlock?
  private var rowsLeftInBlock: Int64 = 0
  private var nextRow = 0
  private var blockCount = 0

  /// - Parameters:
  ///   - source: the .dat bytes.
  ///   - length: the .dat size when known; lets the decoder reject impossible lengths early.
  ///   - chunkBytes: about how many bytes of rows one chunk holds.
  ///   - chunkRows: at most this many rows in one chunk (and one exported line per series).
  public init(
    source: ByteSource, length: Int64?, chunkBytes: Int = 1 << 20,
    chunkRows: Int = DatDecoder.maxChunkRows
  ) {
    self.source = source
    self.length = length
    self.chunkBytes = max(chunkBytes, 4)
    self.chunkRows = min(max(chunkRows, 1), Self.maxChunkRows)
  }

  /// Blocks whose header has been read so far.
  public var blocksRead: Int { blockCount }

  /// The first block, once its header has been read (even when it holds no rows).
  public private(set) var firstBlock: DatBlock?

  /// Reads and returns the fixed header; the first call of `nextChunk` does it too.
  @discardableResult
  public func readFileHeader() throws -> DatFileHeader {
    if let fileHeader { return fileHeader }
    let got = try fill(DatFileHeader.size)
    // Checked before the length: a short text file is no .dat cut short.
    let implausible = buffer.withUnsafeBytes {
      DatFileHeader.implausibleField(in: UnsafeRawBufferPointer(rebasing: $0[0..<got]))
    }
    if let implausible {
      throw InputFault(
        .notDat, at: Int64(implausible.offset),
        "not a performance data file: " + implausible.reason)
    }
    guard got == DatFileHeader.size else {
      throw InputFault(
        .datTruncated, at: position,
        "the file ends after \(got) bytes, inside the \(DatFileHeader.size)-byte file header")
    }
    let header = buffer.withUnsafeBytes { DatFileHeader(bytes: $0) }
    fileHeader = header
    return header
  }

  /// The next run of rows, or nil after the last block.
  /// - Throws: `InputFault` for a damaged file. Rows handed out before the fault are good data.
  public func nextChunk() throws -> DatChunk? {
    try readFileHeader()
    while rowsLeftInBlock == 0 {
      guard try readBlockHeader() else { return nil }
    }
    guard let block else { return nil }
    let rowBytes = block.header.valuesPerRow * 4
    let wanted = Int(min(Int64(max(1, chunkBytes / rowBytes)), rowsLeftInBlock,
                         Int64(chunkRows)))
    let rowStart = position
    let got = try fill(wanted * rowBytes)
    let complete = got / rowBytes
    if complete < wanted {
      let cutRow = nextRow + complete
      // Hand out the complete rows first; the fault follows on the next call.
      rowsLeftInBlock = 0
      pendingFault = InputFault(
        .datTruncated, at: rowStart + Int64(complete * rowBytes),
        "the file ends inside row \(cutRow) of block \(block.index) "
          + "(\(block.header.rowCount) rows expected, \(cutRow) complete)")
      atEnd = true
      guard complete > 0 else { throw pendingFault! }
    } else {
      rowsLeftInBlock -= Int64(complete)
    }
    let chunk = buffer.withUnsafeBytes { raw in
      DatChunk(
        block: block, firstRow: nextRow, rowCount: complete,
        rows: UnsafeRawBufferPointer(rebasing: raw[0..<(complete * rowBytes)]))
    }
    nextRow += complete
    return chunk
  }

  private var pendingFault: InputFault?

  /// Reads the next block's prefix and header; false when the data has ended cleanly.
  private func readBlockHeader() throws -> Bool {
    if let fault = pendingFault {
      pendingFault = nil
      throw fault
    }
    let blockOffset = position
    let ended: Bool
    if let length, position >= length {
      ended = true
    } else {
      ended = try fill(8) == 0
    }
    if ended {
      guard blockCount > 0 else {
        throw InputFault(
          .datTruncated, at: blockOffset, "the file ends after its fixed header: it holds no block")
      }
      return false
    }
    let got = Int(min(8, position - blockOffset))
    guard got == 8 else {
      throw InputFault(
        .datTruncated, at: blockOffset,
        "the file ends inside the 8-byte prefix of block \(blockCount) (\(got) bytes left)")
    }
    let (type, headerLength) = buffer.withUnsafeBytes { raw in
      (raw.loadUnaligned(as: UInt32.self).littleEndian,
       raw.loadUnaligned(fromByteOffset: 4, as: Int32.self).littleEndian)
    }
    guard type == 0, headerLength >= 8 else {
      let rest = try remainingByteCount() + 8
      let why = type != 0 ? "block type \(type)" : "header length \(headerLength)"
      throw InputFault(
        .datTrailingBytes, at: blockOffset,
        "\(rest) bytes after the last block do not form a block (\(why))")
    }
    let jsonLength = Int(headerLength) - 8
    let left = length.map { $0 - position }
    // A header longer than any real one is a lie about the length; a plausible one that runs
    // past the end of the file is a file cut short.
    if let left, Int64(jsonLength) > left, jsonLength > Self.maxHeaderBytes {
      throw InputFault(
        .datBadLength, at: blockOffset,
        "block \(blockCount) claims a \(headerLength)-byte header but only \(left + 8) bytes "
          + "are left in the file")
    }
    guard jsonLength <= Self.maxHeaderBytes else {
      throw InputFault(
        .datBadLength, at: blockOffset,
        "block \(blockCount) claims a \(headerLength)-byte header, more than the "
          + "\(Self.maxHeaderBytes) bytes arraytool accepts")
    }
    let gotHeader = try fill(jsonLength)
    guard gotHeader == jsonLength else {
      throw InputFault(
        .datTruncated, at: blockOffset + 8 + Int64(gotHeader),
        "the file ends inside the header of block \(blockCount) "
          + "(\(gotHeader) of \(jsonLength) bytes)")
    }
    let header: DatBlockHeader
    do {
      let json = try buffer.withUnsafeBytes {
        try HeaderJSON.parse(UnsafeRawBufferPointer(rebasing: $0[0..<jsonLength]))
      }
      header = try DatBlockHeader(json: json)
    } catch let error as HeaderJSON.SyntaxError {
      throw InputFault(
        .datBadHeader, at: blockOffset + 8 + Int64(error.index),
        "the header of block \(blockCount) is not valid JSON: \(error.reason)")
    } catch let error as DatBlockHeader.Invalid {
      throw InputFault(
        .datBadHeader, at: blockOffset + 8, "block \(blockCount): \(error.reason)")
    }
    let rowBytes = header.valuesPerRow.multipliedReportingOverflow(by: 4)
    guard !rowBytes.overflow, rowBytes.partialValue <= Self.maxRowBytes,
      header.valuesPerRow <= Self.maxValuesPerRow
    else {
      throw InputFault(
        .datBadLength, at: blockOffset,
        "block \(blockCount) describes rows of \(header.valuesPerRow) values, more than "
          + "arraytool accepts")
    }
    let rows = header.rowCount
    let newBlock = DatBlock(index: blockCount, offset: blockOffset, header: header)
    if blockCount == 0 { firstBlock = newBlock }
    blockCount += 1
    block = newBlock
    nextRow = 0
    rowsLeftInBlock = rowBytes.partialValue == 0 ? 0 : rows
    return true
  }

  /// Reads up to `count` bytes into the front of `buffer`; fewer only at the end of the data.
  private func fill(_ count: Int) throws -> Int {
    if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
    guard !atEnd, count > 0 else { return 0 }
    let got = try buffer.withUnsafeMutableBytes { raw in
      try source.readFully(into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<count]))
    }
    position += Int64(got)
    if got < count { atEnd = true }
    return got
  }

  /// Bytes left after the current position, read through even when the length is known: a tar
  /// header may claim gigabytes that the stream does not hold, and reading is what finds the
  /// container cut short (a fault of the tar) instead of counting bytes that are not there.
  private func remainingByteCount() throws -> Int64 {
    var total: Int64 = 0
    while true {
      let got = try fill(1 << 16)
      total += Int64(got)
      if got < (1 << 16) { return total }
    }
  }
}
