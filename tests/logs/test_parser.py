"""Every grammar of ob_log_format.md, and every log line quoted in the seed and reference docs."""

from datetime import datetime

import pytest

from obdoctor.logs.kv import find_anywhere, object_get, split_body, split_values
from obdoctor.logs.parser import looks_like_header, parse_line, parse_ts
from obdoctor.logs.traceid import decode_addr, encode, is_trace_id

SEED_RS = ("         [2022-09-26 14:37:36.817772] WARN [RS] finish_ (ob_backup_data_ls_task_mgr.cpp:408) [127788][BackupMgr][T0]"
           "[Y1388644564E0-0005E98EBF8D9DC7-0-0] [lt=17] ls task failed, backup can't not continue(ret=-4016 *ls_attr={task_id:1, "
           "tenant_id:1002, ls_id:{id:1}}, job_id:1, backup_set_id:1,backup_type:{type:1} task_type:{type:5}, status:{status:3}, "
           "start_ts:1664174256775981,end_ts:1664174256811245, bakcup_data:20220926,black_servers:[\"100.xx.xx.xx:5000\"], "
           "dst:\"100.xx.xx.xx:5000\", task_trace_id:Y1388644564E0-0005E98EBF2D9DBE-0-0, status:{input_bytes:0, output_bytes:0, "
           "finish_tablet_count:0,macro_block_count:0, extra_bytes:0, finish_file_count:0},start_turn_id:1, turn_id:1,retry_id:0,result:-4016})")
SEED_WDIAG = ("[2023-05-19 13:23:25.238790] WDIAG [STORAGE] advance_checkpoint_by_flush (ob_backup_task.cpp:141) [8999][T1004_BACKUP]"
              "[T1004][Y509E645869DC-0005FC029426456E-0-0] [lt=26][errcode=0] clog checkpoint scn has not passed start scn, retry "
              "again(i=0, tenant_id=1004, ls_id={id:1}, clog_checkpoint_scn={val:1684465461355302830}, start_scn={val:1684465461355303000}, "
              "need_advance_checkpoint=true, advance_checkpoint_interval=2000000, cur_ts=1684473805238742, last_advance_checkpoint_ts=1684472010015535)")
DOC_RPC = ("observer.log.20220811114045:[2022-08-11 11:39:54.382533] WARN  [RPC.OBRPC] rpc_call (ob_rpc_proxy.ipp:361) [192069]"
           "[SerScheQueue0][T0][YFA00BA2D905-0005E5DEE6A2294E-0-0] [lt=8] execute rpc fail(ret=-4012, dst=\"11.xx.xx.9:4001\")")
DOC_USER = ("observer.log.20220811114045:[2022-08-11 11:39:54.382552] WARN  log_user_error_and_warn (ob_rpc_proxy.cpp:315) [192069]"
            "[SerScheQueue0][T0][YFA00BA2D905-0005E5DEE6A2294E-0-0] [lt=20]")


def test_seed_rootservice_line():
    r = parse_line(SEED_RS)
    assert (r.format, r.ts, r.level, r.module, r.func) == ("4.0", datetime(2022, 9, 26, 14, 37, 36, 817772), "WARN", "RS", "finish_")
    assert (r.src_file, r.src_line, r.tid, r.thread, r.tenant_id) == ("ob_backup_data_ls_task_mgr.cpp", 408, 127788, "BackupMgr", 0)
    assert (r.trace_id, r.lt, r.errcode) == ("Y1388644564E0-0005E98EBF8D9DC7-0-0", 17, None)
    assert r.message == "ls task failed, backup can't not continue"
    assert r.ret() == -4016  # "ret=-4016 *ls_attr=" (a comma missing in the source) still gives the code
    attr = r.get("ls_attr")
    assert find_anywhere(attr, "task_id") == "1"
    assert find_anywhere(r.body, "task_trace_id") == "Y1388644564E0-0005E98EBF2D9DBE-0-0"
    assert find_anywhere(r.body, "dst") == "100.xx.xx.xx:5000"
    assert r.raw == SEED_RS


def test_seed_wdiag_line():
    r = parse_line(SEED_WDIAG)
    assert (r.format, r.level, r.module, r.func, r.src_file, r.src_line) == ("4.x", "WDIAG", "STORAGE", "advance_checkpoint_by_flush", "ob_backup_task.cpp", 141)
    assert (r.tid, r.thread, r.tenant_id, r.trace_id, r.lt, r.errcode) == (8999, "T1004_BACKUP", 1004, "Y509E645869DC-0005FC029426456E-0-0", 26, 0)
    assert r.message == "clog checkpoint scn has not passed start scn, retry again"
    assert r.get("tenant_id") == "1004" and r.get("need_advance_checkpoint") == "true"
    assert object_get(r.get("clog_checkpoint_scn"), "val") == "1684465461355302830"
    assert [k for k, _ in r.fields][-1] == "last_advance_checkpoint_ts"
    assert r.ret() is None  # errcode=0 is "warning while ret == OB_SUCCESS"


def test_doc_lines_with_grep_file_prefix():
    r = parse_line(DOC_RPC)
    assert (r.format, r.level, r.module, r.func, r.tid, r.thread, r.tenant_id) == ("4.0", "WARN", "RPC.OBRPC", "rpc_call", 192069, "SerScheQueue0", 0)
    assert r.path == "observer.log.20220811114045" and r.ret() == -4012 and r.get("dst") == "11.xx.xx.9:4001"
    u = parse_line(DOC_USER)
    assert (u.module, u.func, u.src_file, u.src_line, u.lt, u.body) == (None, "log_user_error_and_warn", "ob_rpc_proxy.cpp", 315, 20, "")


@pytest.mark.parametrize("level", ["ERROR", "WARN", "INFO", "EDIAG", "WDIAG", "TRACE", "DEBUG"])
def test_4x_levels(level):
    line = f"[2024-03-18 08:00:00.000001] {level:<5} [RS.LB] operator() (ob_x.cpp:7) [11][T1_Foo][T1002][YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] [lt=3][errcode=-9040] hi(a=1)"
    r = parse_line(line)
    assert (r.level, r.module, r.func, r.errcode, r.tenant_id, r.message) == (level, "RS.LB", "operator()", -9040, 1002, "hi")


def test_4x_arbitration_cluster_and_no_tenant():
    r = parse_line("[2024-03-18 08:00:00.000001] INFO  run (a.cpp:1) [11][Arb][C5][T1][Y0-0000000000000000-0-0] [lt=3] x")
    assert (r.cluster_id, r.tenant_id, r.trace_id) == (5, 1, "Y0-0000000000000000-0-0")
    seekdb = parse_line("[2024-03-18 08:00:00.000001] WDIAG run (a.cpp:1) [11][Th][YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] [lt=3][errcode=-4016] x(ret=-4016)")
    assert (seekdb.format, seekdb.tenant_id, seekdb.errcode, seekdb.ret()) == ("4.x", None, -4016, -4016)


def test_4_0_user_err():
    r = parse_line("[2022-01-01 00:00:00.000000] USER_ERR  start (a.cpp:1) [1][T1_X][T1][YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] [lt=0] backup can not start")
    assert (r.format, r.level, r.errcode, r.body) == ("4.0", "USER_ERR", None, "backup can not start")


def test_3x_both_forms():
    warn = parse_line("[2021-09-08 15:49:10.123456] WARN  [STORAGE] do_work (ob_a.cpp:12) [1234][0][YB42AC1E0B5C-0005CBE4A1B2C3D4] [lt=5] [dc=0] fail(ret=-4012)")
    assert (warn.format, warn.func, warn.src_file, warn.src_line, warn.tid, warn.trace_id, warn.ret()) == (
        "3.x", "do_work", "ob_a.cpp", 12, 1234, "YB42AC1E0B5C-0005CBE4A1B2C3D4", -4012)
    info = parse_line("[2021-09-08 15:49:10.123456] INFO  [SERVER] ob_server.cpp:99 [1234][7][Y0-0000000000000000] [lt=5] [dc=3] started")
    assert (info.format, info.func, info.src_file, info.src_line, info.body) == ("3.x", None, "ob_server.cpp", 99, "started")


def test_trace_log_short_header():
    r = parse_line("[2024-03-18 08:00:00.000001] [4567][T1002_L0_G0][T1002][YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] {\"trace_id\":\"x\"}")
    assert (r.format, r.tid, r.thread, r.tenant_id, r.body) == ("trace", 4567, "T1002_L0_G0", 1002, '{"trace_id":"x"}')


def test_alert_log_pipe_format():
    r = parse_line("2024-03-18 08:00:00.000001|ERROR|BACKUP|BACKUP_DATA_FAILED|-9043|1002|4567|T1002_BackupDat|"
                   "YB42AC1E0B5C-00060F1A2B3C4D5E-0-0|do_backup|ob_backup_task.cpp:2210|backup failed(ret=-9043)")
    assert (r.format, r.level, r.module, r.event, r.errcode, r.tenant_id, r.tid) == ("alert", "ERROR", "BACKUP", "BACKUP_DATA_FAILED", -9043, 1002, 4567)
    assert (r.func, r.src_file, r.src_line, r.ret(), r.message) == ("do_backup", "ob_backup_task.cpp", 2210, -9043, "backup failed")


def test_backtrace_tail_and_rate_limit():
    r = parse_line("[2024-03-18 08:00:00.000001] EDIAG [STORAGE] f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1][errcode=-4016] oops(ret=-4016) BACKTRACE:0x1 0x2")
    assert (r.body, r.backtrace, r.fields) == ("oops(ret=-4016)", "0x1 0x2", [("ret", "-4016")])
    limited = parse_line("[2024-03-18 08:00:00.000001] WDIAG [STORAGE] f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1][errcode=-4016]  REACH SYSLOG RATE LIMIT [frequency]")
    assert (limited.rate_limited, limited.body) == ("frequency", "REACH SYSLOG RATE LIMIT [frequency]")


def test_continuation_lines_belong_to_the_record():
    r = parse_line("[2024-03-18 08:00:00.000001] INFO  f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1] sql(q=select 1\nfrom dual)")
    assert r.format == "4.x" and r.body.endswith("from dual)") and r.get("q") == "select 1\nfrom dual"
    assert not looks_like_header("from dual)")


@pytest.mark.parametrize("garbage", ["", "hello", "[", "[2024-13-45 99:99:99.000000] x", "\x00\x01\x02", "2024-01-01|x", "[" * 5000, "(((=", "a=b(c=d"])
def test_unparseable_lines_are_kept_raw(garbage):
    r = parse_line(garbage)
    assert r.raw == garbage and r.format == "raw"
    assert isinstance(r.fields, list) and isinstance(r.message, str)


def test_kv_nested_quoted_repeated():
    message, fields = split_body('fail(ret=-4016, ret="OB_ERR_UNEXPECTED", a={x:1, y:[1, 2]}, s="a, b=(c)", arr=[cnt:2, {id:1}, {id:2}], p=NULL)')
    assert message == "fail"
    assert fields == [("ret", "-4016"), ("ret", "OB_ERR_UNEXPECTED"), ("a", "{x:1, y:[1, 2]}"), ("s", "a, b=(c)"),
                      ("arr", "[cnt:2, {id:1}, {id:2}]"), ("p", "NULL")]
    assert split_values("a, {b, c}, [d, e], \"f, g\"") == ["a", "{b, c}", "[d, e]", '"f, g"']
    assert split_body("no kv here") == ("no kv here", [])
    assert split_body("[IO STATUS](tenant_id=1)") == ("[IO STATUS]", [("tenant_id", "1")])


def test_trace_ids():
    assert decode_addr("YB42AC1E0B5C-00060F1A2B3C4D5E-0-0") == "172.30.11.92:2882"
    assert decode_addr("Y1388644564E0-0005E98EBF8D9DC7-0-0") is not None
    assert decode_addr(encode("10.1.2.3", 2882, 77)) == "10.1.2.3:2882"
    assert is_trace_id("YB42AC1E0B5C-00060F1A2B3C4D5E-0-0") and is_trace_id("Y0-0000000000000000-0-0")
    assert not is_trace_id("hello") and not is_trace_id("")
    assert decode_addr("Y0-0000000000000000-0-0") is None


def test_parse_ts():
    assert parse_ts("2023-05-19 13:23:25.238790") == datetime(2023, 5, 19, 13, 23, 25, 238790)
    assert parse_ts("2023-05-19 13:23:25") == datetime(2023, 5, 19, 13, 23, 25)
    assert parse_ts("garbage") is None and parse_ts("2023-02-30 00:00:00.000000") is None


HEAD = "[2024-03-18 08:00:00.000001] INFO  "


@pytest.mark.parametrize("line", [
    HEAD + "( " * 30000, HEAD + "x (a.cpp:1) " * 5000, "observer.log" * 5000 + ":[2024", "z" * 65536,
    HEAD + "f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1] m(" + "a=(" * 20000,
    HEAD + "f (a.cpp:1) [1][T][T1][Y0-0000000000000000-0-0] [lt=1] m(" + '"' * 30001 + ")",
    "2024-03-18 08:00:00.000001|" + "|" * 60000,
])
def test_pathological_64k_lines_parse_fast(line):
    import time

    start = time.perf_counter()
    r = parse_line(line)
    r.fields, r.message, r.ret()
    assert r.raw == line and time.perf_counter() - start < 2.0


def test_trace_id_as_copied_in_the_docs():
    assert is_trace_id("YFA40BA2D90B-005FA487348F363-0-0")  # 15-digit sequence, data-backup-failed page
    assert is_trace_id("Y1388644564E0-0005E98EBF8D9DC7")  # 3.x two-part form
    assert not is_trace_id("YFA40BA2D90B-005FA487348F363-0-0; rm -rf /")


def test_rotation_banner_keeps_time_and_level():
    r = parse_line('[2024-03-18 08:00:00.000001] INFO  New syslog file info: [address: "10.0.0.1:2882", observer version: 4.2.1.0]')
    assert (r.ts, r.level, r.format) == (datetime(2024, 3, 18, 8, 0, 0, 1), "INFO", "raw")
    assert r.body.startswith("New syslog file info: [address:")


def test_3x_sync_path_has_no_dc_and_dba_lines_have_no_module():
    r = parse_line("[2021-09-08 15:49:10.123456] ERROR [RS] run (ob_rs.cpp:9) [77][0][Y0-0000000000000000] [lt=2] bad(ret=-4016)")
    assert (r.format, r.level, r.module, r.ret()) == ("3.x", "ERROR", "RS", -4016)
    dba = parse_line("[2024-03-18 08:00:00.000001] WARN  log_dba_warn (ob_log.cpp:1744) [5][T1_Occam][T1][Y0-0000000000000000-0-0] [lt=0][errcode=-4388] slow disk io(io_time=5)")
    assert (dba.format, dba.level, dba.module, dba.errcode, dba.get("io_time")) == ("4.x", "WARN", None, -4388, "5")


def test_user_error_line_from_the_reference():
    r = parse_line("[2024-03-18 08:00:00.000001] WDIAG start_tenant_backup_data_ (ob_backup_data_scheduler.cpp:352) [1][T1_BACKUP_SC][T1]"
                   "[YB42AC1E0B5C-00060F1A2B3C4D5E-0-0] [lt=0][errcode=-9040] backup can not start, because log archive status is not doing.")
    assert (r.module, r.errcode, r.ret(), r.fields) == (None, -9040, -9040, [])
    assert r.message == "backup can not start, because log archive status is not doing."
