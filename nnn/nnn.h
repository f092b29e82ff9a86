// Umbrella header for experiment authors: the model, its wiring, config,
// data and training in one include.
#pragma once

#include "nnn/config/experiment_config.h"
#include "nnn/config/model_options.h"
#include "nnn/core/activation.h"
#include "nnn/core/cell.h"
#include "nnn/core/device.h"
#include "nnn/core/error.h"
#include "nnn/core/network.h"
#include "nnn/core/parallel.h"
#include "nnn/core/weights.h"
#include "nnn/core/wiring.h"
#include "nnn/data/augment.h"
#include "nnn/data/dataset.h"
#include "nnn/data/idx.h"
#include "nnn/data/load.h"
#include "nnn/data/loader.h"
#include "nnn/data/synthetic.h"
#include "nnn/train/loss.h"
#include "nnn/train/optimizer.h"
#include "nnn/train/run.h"
#include "nnn/train/trainer.h"
