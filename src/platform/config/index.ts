/** @module Settings: one zod schema over the environment and `local.settings.json`, parsed once. */
export { type LoadSettingsOptions, loadSettings, readLocalSettings } from './load.js';
export { SETTING_NAMES, type Settings, SettingsSchema, settingDefault } from './settings.js';
