# Runs a command and checks its exit code and that its stderr matches a regular expression.
#   cmake -DPROGRAM=<path> -DARGS="a|b|c" -DEXPECTED_RC=2 -DEXPECTED_STDERR=<regex> -P expect_exit.cmake
# (ARGS is '|'-separated: add_test would split a ';'-list.) WILL_FAIL cannot tell exit code 2 from
# a crash; this can.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND "${PROGRAM}" ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc STREQUAL "${EXPECTED_RC}")
  message(FATAL_ERROR "expected exit code ${EXPECTED_RC}, got '${rc}'\nstdout:\n${out}\nstderr:\n${err}")
endif()
if(DEFINED EXPECTED_STDERR AND NOT err MATCHES "${EXPECTED_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECTED_STDERR}':\n${err}")
endif()
