// Reads one unit of an export (a .tgz, or a bare .dat) from its container down to the samples:
// opens the byte pipeline, decodes the .dat, then lets the container check what follows it.
// Faults of any layer end in the summary, located at the layer where they happened.

/// Reads `DatUnit`s into chunks with their series layout.
public struct PerfUnitReader {
  public var reader: DatFileReader

  public init(catalog: SeriesCatalog, chunkBytes: Int = 1 << 20) {
    reader = DatFileReader(catalog: catalog, chunkBytes: chunkBytes)
  }

  /// A reader sharing `layouts` with the other readers of a run.
  public init(layouts: SeriesLayoutCache, chunkBytes: Int = 1 << 20) {
    reader = DatFileReader(layouts: layouts, chunkBytes: chunkBytes)
  }

  /// Decodes `unit`; input faults are recorded in the summary, other errors thrown on.
  public func read(_ unit: DatUnit, visit: (DatChunk, SeriesLayout) throws -> Void) throws
    -> DatFileSummary
  {
    let stream: DatStream
    do {
      stream = try unit.open()
    } catch let fault as InputFault {
      var summary = DatFileSummary(path: unit.path, member: unit.member)
      summary.fileName = PerfFileName(unit.name)
      summary.fault = fault.path.isEmpty ? fault.located(path: unit.path, member: unit.member) : fault
      return summary
    } catch let error as SystemError {
      // One unreadable file must not take the others down with it.
      var summary = DatFileSummary(path: unit.path, member: unit.member)
      summary.fileName = PerfFileName(unit.name)
      summary.fault = InputFault(
        .unreadable, at: 0, error.reason, path: unit.path, member: unit.member)
      return summary
    }
    let datMember = unit.datMember(stream.datName)
    var summary = try reader.read(
      stream, length: stream.length, name: unit.name, path: unit.path, member: datMember,
      visit: visit)
    if let fault = summary.fault, fault.kind.isContainerFault {
      // A gzip or tar fault surfaced while the .dat was read: it belongs to the container.
      summary.fault = fault.path.isEmpty ? fault.located(path: unit.path, member: unit.member) : fault
      return summary
    }
    if summary.fault == nil {
      do {
        try stream.finish()
      } catch let fault as InputFault {
        summary.fault = fault.path.isEmpty ? fault.located(path: unit.path, member: unit.member) : fault
      }
    }
    return summary
  }
}

extension DatUnit {
  /// The member chain naming the .dat inside this unit, for .dat faults.
  func datMember(_ datName: String) -> String? {
    if let member { return member + "!" + datName }
    return name == datName ? nil : datName
  }
}

extension InputFault.Kind {
  /// Whether the fault is of an archive layer rather than of the .dat inside it.
  var isContainerFault: Bool {
    switch self {
    case .datTruncated, .datBadHeader, .datBadLength, .datTrailingBytes, .serialMismatch,
      .seriesCollision:
      return false
    default:
      return true
    }
  }
}
