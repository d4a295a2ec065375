/** `cdktf synth` entry point (see cdktf.json): synthesizes offline, no Azure credentials needed. */
import { buildAzureExampleApp } from './stack';

buildAzureExampleApp().synth();
