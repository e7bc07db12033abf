// `arraytool export`: writes exactly the samples that `import` sends, as VictoriaMetrics JSON
// lines or Prometheus text, to stdout or a file.

import Foundation

/// Writes the samples of an export as import text.
public enum ExportCommand: Command {
  public static let spec = CommandSpec(
    name: "export",
    summary: "Write the samples of an export as JSON lines or Prometheus text.",
    discussion: """
      Decodes every .dat file of the inputs and writes each sample exactly as 'arraytool import'
      sends it: VictoriaMetrics JSON lines (one series per line, at most 10,000 samples a line)
      or Prometheus exposition lines with millisecond timestamps. Damaged files are reported on
      stderr with their member and byte offset; the samples before the damage are written.
      Inputs: .zip exports, folders, .tgz files, bare .dat files. Exit status 1 when a file is
      damaged, 2 when an input cannot be read or a folder holds no export file.
      """,
    positionals: [PositionalSpec("INPUT", help: "Export .zip, .tgz, .tar, .dat or folder.", variadic: true)],
    options: [
      OptionSpec(
        "format", short: "f", .value(placeholder: "FORMAT"),
        help: "jsonl (default) or prometheus.", choices: SampleFormat.allCases.map(\.rawValue)),
      OptionSpec(
        "output", short: "o", .value(placeholder: "FILE"),
        help: "Write to FILE instead of stdout (- is stdout)."),
      OptionSpec(
        "jobs", short: "j", .value(placeholder: "N"),
        help: "Decode N files at a time (default: the number of cores); output order is kept."),
    ],
    examples: [
      "arraytool export Storage_History_Performance_Files.zip > samples.jsonl",
      "arraytool export --format prometheus PerfData_*.tgz | head",
    ]
  )

  public static func run(_ arguments: ParsedArguments, context: CommandContext) throws
    -> ExitStatus
  {
    let format = SampleFormat(
      rawValue: try arguments.choice("format", among: SampleFormat.allCases.map(\.rawValue))
        ?? "jsonl")!
    let jobs = try arguments.integer("jobs", in: 1...256) ?? ProcessInfo.processInfo.activeProcessorCount
    let catalog = try SeriesCatalog.bundled()
    let listing = try PerfInput.units(for: arguments.positionals)
    let console = context.console
    var faults = listing.faults
    // The files import would send: a repeat of an earlier input or file is left out, and two
    // files of one name with other bytes are refused, as import refuses them.
    let (units, duplicates, conflicts) = DuplicateInputs.split(
      listing.units, digests: ArchiveDigests())
    if !conflicts.isEmpty {
      for conflict in conflicts { console.error(conflict.message(done: "written")) }
      return .problems
    }

    let out: OutputStream
    if let path = arguments.outputFile("output") {
      let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
      guard descriptor >= 0 else { throw SystemError("cannot write \(path)", code: errno) }
      out = OutputStream(descriptor: descriptor, capacity: 1 << 20, path: path)
    } else {
      out = console.out
    }

    for fault in listing.faults { console.diagnostic(fault.line) }
    for duplicate in duplicates {
      console.diagnostic(
        "note: \(duplicate.path): " + ImportReport.duplicateReason(duplicate, done: "written"))
    }
    let export = ParallelExport(catalog: catalog, format: format, jobs: jobs)
    let summaries = try export.run(units: units, output: out) { summary in
      for warning in summary.warnings { console.warning(warning.line) }
      for collision in summary.collisions.sorted(by: { $0.message < $1.message }) {
        console.warning("\(summary.location): \(collision.message)")
      }
      if let fault = summary.fault { console.diagnostic(fault.line) }
    }
    try out.flush()
    faults += summaries.compactMap(\.fault)
    return faults.isEmpty ? .success : .problems
  }
}
