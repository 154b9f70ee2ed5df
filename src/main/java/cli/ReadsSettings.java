package cli;

/**
 * A command that reads the pipeline's settings and takes options that set them (-D and the like): the
 * command line reads {@code flightcdc.log.format} through them before the command runs.
 */
interface ReadsSettings {

    /** The settings its command line sets; anything not given keeps application.properties' or its environment variable's. */
    SettingOptions settingOptions();
}
