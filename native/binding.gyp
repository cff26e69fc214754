{
  "targets": [
    {
      "target_name": "plaintap_native",
      "sources": ["addon.cc", "capture_session.cc", "ring_reader.cc", "tracefs.cc", "native_error.cc", "uprobe_multi.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "../build/bpf", "../bpf"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lbpf", "-lelf", "-lz"]
    }
  ]
}
