"""CUDA in Bazel without downloads: nvcc from /usr/local/cuda compiles each .cu into an object
that a plain cc_library links (Note [CUDA build] in docs/design_notes.md).

    load("//tools/bazel:cuda.bzl", "cuda_library")
    cuda_library(name = "gpu_kernels", srcs = ["gpu_kernels.cu"], deps = ["//core/base"])

The result is an ordinary cc_library (alwayslink, so static kernel registrations survive) for other
CUDA code, plus `<name>_objects`: its objects and link flags without any headers or CUDA include
paths, which plain C++ targets pick with select() under --config=cuda. So their compile commands are
the same in both configurations and the CUDA build reuses the CPU build's objects. Without
--config=cuda both are incompatible, so `bazel build //...` skips them (and needs no nvcc).
"""

load("@rules_cc//cc:defs.bzl", "cc_library")

CUDA_HOME = "/usr/local/cuda"

# sm_90 code for the H100/H200, plus compute_90 PTX that the driver compiles for newer GPUs.
_GENCODE = [
    "-gencode=arch=compute_90,code=sm_90",
    "-gencode=arch=compute_90,code=compute_90",
]

def _nvcc_objects_impl(ctx):
    cc_infos = [d[CcInfo].compilation_context for d in ctx.attr.deps if CcInfo in d]
    headers = depset(ctx.files.hdrs, transitive = [c.headers for c in cc_infos])
    include_dirs = depset(
        transitive = [c.includes for c in cc_infos] +
                     [c.quote_includes for c in cc_infos] +
                     [c.system_includes for c in cc_infos],
    )
    defines = depset(transitive = [c.defines for c in cc_infos])
    objects = []
    for src in ctx.files.srcs:
        out = ctx.actions.declare_file(
            "_nvcc/%s/%s.pic.o" % (ctx.label.name, src.basename[:-len(".cu")]),
        )
        args = ctx.actions.args()
        args.add_all([
            "-c",
            src.path,
            "-o",
            out.path,
            "-std=c++17",
            "-O3",
            "-lineinfo",
            "--expt-relaxed-constexpr",
            "--extended-lambda",
            "-Xcompiler=-fPIC,-Wall,-Wno-unused-parameter,-Wno-parentheses",
            "-I.",
            "-I" + ctx.bin_dir.path,
            "-I" + ctx.genfiles_dir.path,
        ])
        args.add_all(_GENCODE)
        args.add_all(include_dirs, format_each = "-I%s")
        args.add_all(defines, format_each = "-D%s")
        args.add_all(ctx.attr.copts)
        ctx.actions.run(
            executable = CUDA_HOME + "/bin/nvcc",
            arguments = [args],
            inputs = depset([src], transitive = [headers]),
            outputs = [out],
            mnemonic = "NvccCompile",
            progress_message = "nvcc %s" % src.short_path,
            use_default_shell_env = True,
        )
        objects.append(out)
    return [DefaultInfo(files = depset(objects))]

_nvcc_objects = rule(
    implementation = _nvcc_objects_impl,
    attrs = {
        "srcs": attr.label_list(allow_files = [".cu"]),
        "hdrs": attr.label_list(allow_files = [".h", ".cuh"]),
        "deps": attr.label_list(providers = [CcInfo]),
        "copts": attr.string_list(),
    },
)

def cuda_library(name, srcs, hdrs = [], deps = [], copts = [], **kwargs):
    """A cc_library of `srcs` under --config=cuda: nvcc compiles the .cu files, the C++ compiler the
    .cc files (host code calling cuBLAS or cuDNN); linked with the CUDA libraries. Incompatible
    with (so skipped by) builds without --config=cuda."""
    cu_srcs = [s for s in srcs if s.endswith(".cu")]
    cc_srcs = [s for s in srcs if not s.endswith(".cu")]
    compatible = select({
        "//tools/bazel:cuda": [],
        "//conditions:default": ["//tools/bazel:cuda_build_only"],
    })
    objects = []
    if cu_srcs:
        _nvcc_objects(
            name = name + "_nvcc",
            srcs = cu_srcs,
            hdrs = hdrs,
            deps = deps,
            copts = copts,
            target_compatible_with = compatible,
        )
        objects = [":" + name + "_nvcc"]
    cc_library(
        name = name,
        srcs = cc_srcs + objects,
        hdrs = hdrs,
        deps = deps + ["//third_party:cuda"],
        alwayslink = True,
        target_compatible_with = compatible,
        **kwargs
    )

def _link_only_impl(ctx):
    if not ctx.attr.library:
        return [CcInfo()]
    return [CcInfo(linking_context = ctx.attr.library[CcInfo].linking_context)]

_link_only = rule(
    implementation = _link_only_impl,
    attrs = {"library": attr.label(providers = [CcInfo])},
)

def device_objects(name, cuda, cpu = None, **kwargs):
    """The objects and link flags of `cuda` (a cuda_library) under --config=cuda, of `cpu` otherwise
    (nothing if None), without their headers or include paths: the one target plain C++ code
    depends on for a device-specific implementation. Its headers come from a plain cc_library; so
    C++ compile commands and their action keys are the same in both configurations, and the CUDA
    build reuses the CPU build's objects (Note [CUDA build])."""
    _link_only(
        name = name,
        library = select({
            "//tools/bazel:cuda": cuda,
            "//conditions:default": cpu,
        }),
        **kwargs
    )
