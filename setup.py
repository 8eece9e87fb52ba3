"""The one compiled part: ``obdoctor.logs._scan`` (fused SIMD line search). Optional: when it
cannot be built (no C compiler or Python headers) the install still succeeds and the log
search uses hyperscan or pure Python with the same answers (``obdoctor --version`` says which).

Also ships ``docs/`` inside the package (``obdoctor/docs/``), so ``obdoctor docs TOPIC`` and the
help texts that point at it work from an installed wheel, not only from a checkout."""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

DOCS = Path(__file__).resolve().parent / "docs"


class BuildWithDocs(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False) or not DOCS.is_dir():
            return  # an editable install reads the checkout's docs/ (obdoctor.cli.docs)
        target = Path(self.build_lib) / "obdoctor" / "docs"
        target.mkdir(parents=True, exist_ok=True)
        for doc in [*DOCS.glob("*.md"), *DOCS.glob("*.json")]:
            shutil.copyfile(doc, target / doc.name)


setup(
    cmdclass={"build_py": BuildWithDocs},
    ext_modules=[
        Extension(
            "obdoctor.logs._scan",
            sources=["src/obdoctor/logs/_scan.c"],
            depends=["src/obdoctor/logs/_scan_kernels.h", "src/obdoctor/logs/_scan_fields.h"],
            extra_compile_args=["-O3", "-std=c11", "-Wall", "-Wno-missing-braces"],
            optional=True,
        )
    ],
)
