"""The watcher's samples are read by the evidence records: a row means the same to both."""

from __future__ import annotations

from datetime import datetime

from obdoctor.evidence import Provenance, Row
from obdoctor.evidence.records import BackupJob, LSTask
from obdoctor.watch.samples import take
from tests.watch.fakes import FakeCluster, job_row, ls_row, task_row


def _cluster(**tables) -> FakeCluster:
    cluster = FakeCluster(bundle=None)
    cluster.tables.update(tables)
    return cluster


def test_a_positive_result_reads_as_the_records_read_it():
    jobs = [job_row(1, status="FAILED", RESULT=9040)]
    ls = [ls_row(1001, result=9040)]
    snapshot = take(_cluster(CDB_OB_BACKUP_JOBS=jobs, CDB_OB_BACKUP_TASKS=[task_row(1)],
                             __all_virtual_backup_ls_task=ls), datetime(2023, 9, 26, 15))
    record = BackupJob.from_row(Row(jobs[0], Provenance("sql", "CDB_OB_BACKUP_JOBS", row=1)))
    ls_record = LSTask.from_row(Row(ls[0], Provenance("sql", "__all_virtual_backup_ls_task", row=1)))
    assert record.result == ls_record.result == -9040
    assert snapshot.jobs[0].result == record.result
    assert snapshot.ls_tasks[0].result == ls_record.result
    assert snapshot.ls_tasks[0].started == ls_record.start and snapshot.ls_tasks[0].server == "127.0.0.3"


def test_a_job_takes_its_set_tasks_stage_counters_and_turn():
    snapshot = take(_cluster(CDB_OB_BACKUP_JOBS=[job_row(1)],
                             CDB_OB_BACKUP_TASKS=[task_row(1, macro=1000, finish_macro=250, turn=3)]),
                    datetime(2023, 9, 26, 15))
    job = snapshot.jobs[0]
    assert (job.stage, job.macro_block_count, job.finish_macro_block_count, job.turn_id) == \
        ("BACKUP_DATA_MAJOR", 1000, 250, 3)
