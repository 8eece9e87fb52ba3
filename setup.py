"""The one compiled part: ``obdoctor.logs._scan`` (fused SIMD line search). Optional: when it
cannot be built (no C compiler or Python headers) the install still succeeds and the log
search uses hyperscan or pure Python with the same answers."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "obdoctor.logs._scan",
            sources=["src/obdoctor/logs/_scan.c"],
            depends=["src/obdoctor/logs/_scan_kernels.h", "src/obdoctor/logs/_scan_fields.h"],
            extra_compile_args=["-O3", "-std=c11", "-Wall", "-Wno-missing-braces"],
            optional=True,
        )
    ]
)
