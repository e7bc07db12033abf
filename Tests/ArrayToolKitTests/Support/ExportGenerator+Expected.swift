// What VictoriaMetrics should hold after a generated export is imported: the series of each
// value position as the bundled catalogue names them, and each sample with its scaled value.

@testable import ArrayToolKit

extension ExportGenerator {
  /// The series of every value position of a row, named as the bundled catalogue names them.
  func seriesByPosition(_ catalog: SeriesCatalog) -> [SeriesKey] {
    zip(elementsByPosition(), metricsByPosition()).map { element, metricID in
      SeriesKey(
        name: catalog.metric(metricID).seriesName, element: element.element,
        resource: catalog.resourceName(element.typeID), serial: profile.serial,
        interval: profile.interval)
    }
  }

  /// One sample as VictoriaMetrics should hold it: its series, its timestamp (Unix ms) and its
  /// value, scaled as the catalogue says.
  func sample(
    file: Int, block: Int, row: Int, position: Int, catalog: SeriesCatalog
  ) -> (series: SeriesKey, milliseconds: Int64, value: Double) {
    let metricID = metricsByPosition()[position]
    let raw = profile.value(
      file: file, block: block, row: row, position: position, metricID: metricID)
    let rowIndex = Int64(block * profile.rowsPerBlock + row)
    let seconds = profile.fileStart(file) + rowIndex * profile.interval
    let value = catalog.metric(metricID).scale.apply(raw)
    return (seriesByPosition(catalog)[position], seconds * 1000, value)
  }

  /// The timestamps (Unix ms) of every row of `files`.
  func timestamps(files: [Int]) -> Set<Int64> {
    Set(files.flatMap { file in
      (0..<(profile.blocksPerFile * profile.rowsPerBlock)).map {
        (profile.fileStart(file) + Int64($0) * profile.interval) * 1000
      }
    })
  }
}
