@echo off
rem flight-cdc from the release: flight-cdc run|verify|query|bench|migrate, with only a JRE 17 or newer.
rem JAVA_HOME picks the Java to run; JAVA_OPTS adds JVM options. The embedded PostgreSQL runs on Linux and macOS
rem only: on Windows set flightcdc.source.jdbc-url to a PostgreSQL of your own.
setlocal
set "HOME_DIR=%~dp0.."
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java") else (set "JAVA=java")
"%JAVA%" %JAVA_OPTS% -cp "%HOME_DIR%\config;%HOME_DIR%\lib\*" cli.FlightCdc %*
