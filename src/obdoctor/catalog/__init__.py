"""The catalogue: facts about OceanBase, loaded from the data files in ``obdoctor/data``.

Error codes (``errors``, ``error_docs``), causes (``causes``), signatures, storage errors,
versions and the columns of each view per version (``views``). Which views make each evidence
kind and which record its rows become is ``obdoctor.evidence.kinds``.
"""
