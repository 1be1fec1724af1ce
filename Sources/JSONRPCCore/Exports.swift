// The JSON layer is part of this module's API (JSONValue in requests, results and errors).
@_exported import JSONCore
