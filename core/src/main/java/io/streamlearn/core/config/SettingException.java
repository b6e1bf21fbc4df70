package io.streamlearn.core.config;

/** A setting is unknown, missing, or has a value its definition refuses; the message names the setting. */
public final class SettingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SettingException(String message) {
        super(message);
    }

    public SettingException(String message, Throwable cause) {
        super(message, cause);
    }
}
