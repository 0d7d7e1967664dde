#!/usr/bin/env bash
# Records the public API as released: the descriptor set of contracts/protos/rakuten/platform/v1 that the breaking-change
# test (tests/Rakuten.Platform.Contracts.Tests/ProtoCompatibilityTests.cs) compares the protos against. Run it when a
# version of the API is released, never to make that test pass: a field removed or renumbered after release breaks clients.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
protoc="$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/grpc.tools/2.85.0/tools/linux_x64/protoc)"
"$protoc" --proto_path=. --proto_path="$(dirname "$protoc")/../../build/native/include" --descriptor_set_out=released/rakuten-platform-v1.binpb --include_source_info rakuten/platform/v1/*.proto
echo "released/rakuten-platform-v1.binpb: $(stat -c %s released/rakuten-platform-v1.binpb) bytes"
