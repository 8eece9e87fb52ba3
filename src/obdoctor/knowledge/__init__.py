"""Facts about OceanBase, loaded from the data files in ``obdoctor/data``."""
