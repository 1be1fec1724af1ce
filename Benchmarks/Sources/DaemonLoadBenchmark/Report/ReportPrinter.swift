/// Turns a ``FigureSet`` into the tables the benchmark prints.
struct ReportPrinter {
    var figures: FigureSet
    var methods: [String]
    var connections: [Int]
    var window: Int
    var idleConnections: Int
    var targets: Targets

    func tables() -> [TextTable] {
        [
            self.sizes(), self.latency(), self.throughput(), self.startup(), self.memory(), self.targetTable(),
        ].compactMap { $0 }
    }

    private func sizes() -> TextTable? {
        var table = TextTable(
            title: "Response sizes (bytes per answer line, line feed included; the reference sends the same)",
            headers: ["method", "bytes"]
        )
        for method in self.methods {
            guard let bytes = self.figures.median(FigureKey.responseBytes(method)) else { continue }
            table.rows.append([method, Format.grouped(bytes)])
        }
        return table.rows.isEmpty ? nil : table
    }

    private func latency() -> TextTable? {
        var table = TextTable(
            title: "Latency, ping-pong on one connection (µs; median over runs, (min–max) when runs differ)",
            headers: ["method", "server", "p50", "p99", "p99.9", "max"]
        )
        for method in self.methods {
            for server in ServerKind.allCases {
                let cells = ["p50", "p99", "p999", "max"].map { percentile in
                    Format.spread(self.figures.spread(FigureKey.latency(method, server, percentile))) {
                        Format.decimal($0)
                    }
                }
                guard cells.contains(where: { $0 != "-" }) else { continue }
                table.rows.append([method, server.rawValue] + cells)
            }
            let ratios = ["p50", "p99", "p999", "max"].map { percentile in
                Format.ratio(
                    self.figures.median(FigureKey.latency(method, .evmcsd, percentile)),
                    self.figures.median(FigureKey.latency(method, .reference, percentile))
                )
            }
            if ratios.contains(where: { $0 != "-" }) { table.rows.append([method, "evmcsd/reference"] + ratios) }
        }
        return table.rows.isEmpty ? nil : table
    }

    private func throughput() -> TextTable? {
        var table = TextTable(
            title: "Throughput (requests/s, median (min–max) over trials and runs; CPU in µs per request)",
            headers: [
                "method", "conn.", "mode", "evmcsd", "reference", "evmcsd/ref", "evmcsd CPU", "ref CPU", "client CPU",
            ]
        )
        for method in self.methods {
            for count in self.connections {
                for mode in LoadMode.allCases {
                    let key = { (server: ServerKind, measure: String) in
                        FigureKey.throughput(method, connections: count, mode, server, measure)
                    }
                    guard self.figures.spread(key(.evmcsd, "rps")) != nil else { continue }
                    table.rows.append([
                        method, String(count), mode == .pipelined ? "window \(self.window)" : mode.rawValue,
                        Format.spread(self.figures.spread(key(.evmcsd, "rps")), Format.grouped),
                        Format.spread(self.figures.spread(key(.reference, "rps")), Format.grouped),
                        Format.ratio(
                            self.figures.median(key(.evmcsd, "rps")),
                            self.figures.median(key(.reference, "rps"))
                        ),
                        self.figures.median(key(.evmcsd, "server-cpu")).map { Format.decimal($0) } ?? "-",
                        self.figures.median(key(.reference, "server-cpu")).map { Format.decimal($0) } ?? "-",
                        self.figures.median(key(.evmcsd, "client-cpu")).map { Format.decimal($0) } ?? "-",
                    ])
                }
            }
        }
        table.notes = [
            "client CPU: the load client's threads per request, in the evmcsd runs. CPU times are thread time",
            "from /proc/*/task/*/schedstat over the counted interval; evmcsd's covers all its threads.",
        ]
        if let other = self.figures.spread(FigureKey.otherActivity), let stolen = self.figures.spread(FigureKey.stolen)
        {
            table.notes.append(
                "other processes during the counted intervals: median \(Format.decimal(other.median, 2)) cores, "
                    + "max \(Format.decimal(other.maximum, 2)); stolen by the hypervisor: median "
                    + "\(Format.decimal(stolen.median, 2)), max \(Format.decimal(stolen.maximum, 2))"
            )
            if other.maximum > 0.25 || stolen.maximum > 0.1 {
                table.notes.append("WARNING: the machine was not quiet; throughput figures may be low or spread.")
            }
        }
        return table.rows.isEmpty ? nil : table
    }

    private func startup() -> TextTable? {
        var table = TextTable(
            title: "Start to READY=1 on NOTIFY_SOCKET (ms, from posix_spawn)",
            headers: ["cache", "median", "min", "max", "starts"]
        )
        for (name, key) in [
            ("warm (cache file present)", FigureKey.startupWarm), ("cold (empty cache dir)", FigureKey.startupCold),
        ] {
            guard let spread = self.figures.spread(key) else { continue }
            table.rows.append([
                name, Format.decimal(spread.median), Format.decimal(spread.minimum), Format.decimal(spread.maximum),
                String(spread.count),
            ])
        }
        return table.rows.isEmpty ? nil : table
    }

    private func memory() -> TextTable? {
        var table = TextTable(
            title: "evmcsd resident memory (VmRSS, MiB; median over runs, (min–max) when runs differ)",
            headers: ["state", "RSS"]
        )
        let count = Format.grouped(Double(self.idleConnections))
        let rows: [(String, String)] = [
            ("idle after start (default configuration)", FigureKey.memoryIdleAfterStart),
            ("same daemon after the latency and throughput runs", FigureKey.memoryAfterLoad),
            ("idle after start (max-connections raised)", FigureKey.memoryIdle),
            ("\(count) connections open, no request yet", FigureKey.memoryConnected),
            ("\(count) connections open, one host.evmcs answered on each", FigureKey.memoryAfterOneRequestEach),
            ("after those connections closed", FigureKey.memoryAfterClose),
        ]
        for (name, key) in rows {
            guard let spread = self.figures.spread(key) else { continue }
            table.rows.append([name, Format.spread(spread, Format.mebibytes)])
        }
        if let threads = self.figures.median(FigureKey.memoryThreads) {
            table.notes.append("evmcsd threads: \(Format.grouped(threads))")
        }
        return table.rows.isEmpty ? nil : table
    }

    private func targetTable() -> TextTable? {
        let checks = self.targets.check(
            self.figures,
            methods: self.methods,
            connections: self.connections,
            idleConnections: self.idleConnections
        )
        guard !checks.isEmpty else { return nil }
        var table = TextTable(title: "Targets", headers: ["target", "limit", "measured", "met", "margin"])
        table.rows = checks.map { [$0.target, $0.limit, $0.measured, $0.met ? "met" : "NOT MET", $0.margin] }
        return table
    }
}
