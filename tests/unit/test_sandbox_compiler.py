from engine.sandbox.compiler import check_source


def test_clean_source_has_no_problems() -> None:
    assert check_source("a + 1", "eval") == []
    assert check_source("x = add_days(d, 3)\nif x:\n    y = [i for i in range(3)]", "exec") == []


def test_syntax_error_with_line() -> None:
    assert check_source("a = 1\nb = 2\nc = (", "exec") == ["line 3: SyntaxError: '(' was never closed"]
    assert check_source("a +", "eval") == ["line 1: SyntaxError: invalid syntax"]
    assert check_source("a = 1", "eval") == ["line 1: SyntaxError: invalid syntax"]  # statement, not expression


def test_underscore_names_are_refused() -> None:
    problems = check_source("x = 1\ny = __import__('os')", "exec")
    assert problems == ['line 2: "__import__" is an invalid variable name because it starts with "_"']
    assert check_source("().__class__", "eval") == [
        'line 1: "__class__" is an invalid attribute name because it starts with "_".'
    ]


def test_extra_policy() -> None:
    assert check_source("print(1)", "exec") == [
        "line 1: print is not available in scripts; assign to a variable instead"
    ]
    assert check_source("x = 1\nimport os", "exec") == [
        "line 2: import is not available in scripts; use the provided helpers"
    ]
    assert check_source("class A:\n    pass", "exec") == ["line 1: class definitions are not available in scripts"]


def test_exec_eval_and_frames_refused_at_compile_time() -> None:
    assert check_source("eval('1')", "eval") == ["line 1: Eval calls are not allowed."]
    assert check_source("exec('1')", "exec") == ["line 1: Exec calls are not allowed."]
    assert sorted(check_source("(x for x in []).gi_frame.f_back", "eval")) == [
        'line 1: "f_back" is a restricted name, that is forbidden to access in RestrictedPython.',
        'line 1: "gi_frame" is a restricted name, that is forbidden to access in RestrictedPython.',
    ]


def test_non_text_source() -> None:
    assert check_source(None, "eval") == ["expected source text, got NoneType"]  # type: ignore[arg-type]


def test_parser_limits_are_problems_not_crashes() -> None:
    assert check_source("-" * 10_000 + "1", "eval") == ["SyntaxError: the code is nested too deeply"]
    assert check_source("a\x00", "eval") == ["SyntaxError: source code string cannot contain null bytes"]
    assert check_source("x" * 200_000, "eval") == ["the code is longer than 100000 characters"]
